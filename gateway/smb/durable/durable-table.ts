/**
 * Durable opens (MS-SMB2 §3.3.1.10 Open.IsDurable, Open.DurableOpenTimeout, Open.CreateGuid;
 * §3.3.7.1 loss of a connection): which opens were granted durability, and which of them are
 * disconnected — kept, with their locks, lease or oplock and share mode, until their client
 * reclaims them (durable/reconnect.ts) or their timeout ends them. Found by FileId.Persistent.
 */
import type { Open } from '../open-table';

/** What the DHnQ / DH2Q context granted (durable/durable-contexts.ts). */
export interface DurableGrant {
  /** 1: DHnQ (SMB 2.x); 2: DH2Q (SMB 3.x), which names a CreateGuid and a timeout. */
  readonly version: 1 | 2;
  /** How long the open outlives its connection. */
  readonly timeoutMs: number;
  /** DH2Q's CreateGuid (16 zero bytes for v1): a DH2C must present the same one. */
  readonly createGuid: Buffer;
  /** The client's ClientGuid: with a v2 CreateGuid it names the open for a replayed CREATE. */
  readonly clientGuid?: Buffer;
}

interface Disconnected {
  readonly open: Open;
  readonly timer: NodeJS.Timeout;
}

export class DurableTable {
  private readonly granted = new Map<Open, DurableGrant>();
  private readonly disconnected = new Map<bigint, Disconnected>();
  /** v2 opens by ClientGuid + CreateGuid (§3.3.5.9.10 replay and duplicate checks). */
  private readonly byCreateGuid = new Map<string, Open>();

  get disconnectedCount(): number {
    return this.disconnected.size;
  }

  grant(open: Open, g: DurableGrant): void {
    this.granted.set(open, g);
    if (g.version === 2 && g.clientGuid) this.byCreateGuid.set(guidKey(g.clientGuid, g.createGuid), open);
  }

  /** The v2 durable open this client made under `createGuid`, connected or not. */
  findByCreateGuid(clientGuid: Buffer, createGuid: Buffer): Open | undefined {
    return this.byCreateGuid.get(guidKey(clientGuid, createGuid));
  }

  grantOf(open: Open): DurableGrant | undefined {
    return this.granted.get(open);
  }

  isDisconnected(open: Open): boolean {
    return this.disconnected.get(open.fileId.persistent)?.open === open;
  }

  /**
   * `open`'s connection is gone: it is kept for its timeout, then `expire` ends it (the caller
   * closes it). Returns false when `open` is not durable (the caller closes it now).
   */
  disconnect(open: Open, expire: (o: Open) => void): boolean {
    const g = this.granted.get(open);
    if (!g) return false;
    this.clearTimer(open);
    const timer = setTimeout(() => {
      if (!this.isDisconnected(open)) return;
      this.forget(open);
      expire(open);
    }, g.timeoutMs);
    // A kept open never holds the process up (tests, shutdown).
    timer.unref();
    this.disconnected.set(open.fileId.persistent, { open, timer });
    return true;
  }

  /** The disconnected open with this FileId.Persistent, if any. */
  findDisconnected(persistent: bigint): Open | undefined {
    return this.disconnected.get(persistent)?.open;
  }

  /** `open` was reclaimed on a new connection: it stays durable, its timer stops. */
  reclaim(open: Open): void {
    this.clearTimer(open);
  }

  /** `open` is closing (or its durability was lost): nothing of it is kept. */
  forget(open: Open): void {
    this.clearTimer(open);
    const g = this.granted.get(open);
    this.granted.delete(open);
    if (!g?.clientGuid) return;
    const key = guidKey(g.clientGuid, g.createGuid);
    if (this.byCreateGuid.get(key) === open) this.byCreateGuid.delete(key);
  }

  private clearTimer(open: Open): void {
    const d = this.disconnected.get(open.fileId.persistent);
    if (d?.open !== open) return;
    clearTimeout(d.timer);
    this.disconnected.delete(open.fileId.persistent);
  }
}

function guidKey(clientGuid: Buffer, createGuid: Buffer): string {
  return `${clientGuid.toString('hex')}/${createGuid.toString('hex')}`;
}
