import type { Ino } from '../backend/attrs';
import type { HandleCodec } from '../backend/handle-codec';
import type { MetaCache } from './meta-cache';

/** A handle codec that can say, cheaply, which inode a handle it already verified names. */
export interface KnownHandles extends HandleCodec {
  knownHandle(h: Buffer): Ino | undefined;
}

/**
 * Handle → inode with no MAC and no stat while the object is known alive: the bytes equal the
 * handle the backend already verified (or minted) for that inode, and the metadata cache saw the
 * object through the backend within its lifetime with no word of it going since (FORGET, flush,
 * ESTALE: MetaCache.knowsAlive). Attribute changes do not matter here, so a head told of another
 * head's writes keeps its fast handles; a deleted object's handle goes through the backend's full
 * check again, within the cache's own staleness bound. In bench/nfs the MAC and an lstat per
 * call were half of our GETATTR CPU before this.
 */
export class CachedHandles implements HandleCodec {
  constructor(
    private readonly inner: KnownHandles,
    private readonly cache: Pick<MetaCache, 'knowsAlive'>,
  ) {}

  handleOf(ino: Ino): Buffer {
    return this.inner.handleOf(ino);
  }

  resolveHandle(h: Buffer): Promise<Ino> {
    const ino = this.inner.knownHandle(h);
    if (ino !== undefined && this.cache.knowsAlive(ino)) return Promise.resolve(ino);
    return this.inner.resolveHandle(h);
  }
}
