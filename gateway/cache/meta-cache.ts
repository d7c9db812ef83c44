import type { CacheAdapter } from '../../adapters/cache-adapter';
import type { InodeKey } from '../../upcall-core';
import type { Attrs, Ino, SetAttrs, Wcc } from '../backend/attrs';
import type {
  Backend,
  CreateHow,
  CreateResult,
  Cred,
  DirEntry,
  DirPage,
  FsStat,
  ReadResult,
  RemoveResult,
  RenameResult,
  SpecialType,
  Stability,
  WriteResult,
} from '../backend/backend';
import { BackendError } from '../backend/errors';
import { inoOfKey } from '../backend/inode-key';
import { checkList, checkSearch } from '../backend/permission';
import { type CacheStats, emptyStats } from './cache-stats';
import { TtlMap } from './ttl-map';

export interface MetaCacheOptions {
  /** Longest an entry is served, in ms (capped further by `setTtlCap`). Default 60,000 (NFS-Ganesha's MDCACHE). */
  ttlMs?: number;
  /** Bound on cached attributes and on cached directories. Default 100,000. */
  maxEntries?: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
}

/** A listing page as cached: names and ids only; attributes come from the attribute cache. */
interface CachedPage {
  readonly entries: readonly Omit<DirEntry, 'attrs'>[];
  readonly eof: boolean;
  readonly verifier: bigint;
}

/**
 * The gateway's metadata cache: attributes, name lookups (positive and negative) and directory
 * listings, in front of a Backend (normally the upcall plugin). It is itself a Backend, and a
 * CacheAdapter so upcalls can evict from it.
 *
 * Two rules keep it coherent:
 * - lifetime: no entry outlives `min(ttlMs, cap)`, where the plugin sets the cap just under the
 *   upcall timeout — past that, the core stops notifying us, so we must stop serving;
 * - races: a fetch that overlapped any eviction or local change does not fill the cache (an
 *   `epoch` counter moves on each), so an invalidation can never be undone by a slow read.
 * Changes made through this cache refresh what it holds from their post-op attributes (the
 * originator never gets an upcall for its own change), but never start holding an object: only
 * a registered read does. A writer that never reads caches nothing, and a shared store that told
 * it once (its eviction) need not tell it again however often it writes (CHANGE_LUA).
 */
export class MetaCache implements Backend, CacheAdapter {
  private readonly attrs: TtlMap<Ino, Attrs>;
  /**
   * Objects this cache saw alive through the backend (a fill, or a change made through it):
   * CachedHandles resolves their handles without the MAC and stat. Attribute changes do not
   * touch this (a handle names the object, not its size); a FORGET (evictHandle), a flush, an
   * ESTALE or the TTL do. A writer told of another head's write keeps its fast handles, though
   * it no longer holds the attributes.
   */
  private readonly alive: TtlMap<Ino, true>;
  private readonly dentries = new Map<Ino, TtlMap<string, Ino | null>>();
  private readonly listings: TtlMap<Ino, Map<string, CachedPage>>;
  private readonly counters = emptyStats();
  private readonly now: () => number;
  private readonly baseTtl: number;
  private ttl: number;
  private epoch = 0;
  private readonly maxDirs: number;

  constructor(
    private readonly inner: Backend,
    opts: MetaCacheOptions = {},
  ) {
    const max = opts.maxEntries ?? 100_000;
    this.attrs = new TtlMap(max);
    this.alive = new TtlMap(max);
    this.maxDirs = Math.max(1, Math.floor(max / 10));
    this.listings = new TtlMap(this.maxDirs);
    this.now = opts.now ?? Date.now;
    this.baseTtl = opts.ttlMs ?? 60_000;
    this.ttl = this.baseTtl;
  }

  get rootIno(): Ino {
    return this.inner.rootIno;
  }

  /** Current lifetime of an entry, in ms. */
  get ttlMs(): number {
    return this.ttl;
  }

  /** Caps the lifetime (the plugin passes just under the upcall timeout); undefined lifts the cap. */
  setTtlCap(capMs: number | undefined): void {
    this.ttl = capMs === undefined ? this.baseTtl : Math.max(0, Math.min(this.baseTtl, capMs));
    if (this.ttl === 0) this.flushAll();
  }

  stats(): CacheStats {
    return {
      ...structuredClone(this.counters),
      entries: { attrs: this.attrs.size, dirs: this.dentries.size, listings: this.listings.size },
    };
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** Whether `ino` was seen alive within the cache's lifetime and nothing said it went since. */
  knowsAlive(ino: Ino): boolean {
    return this.alive.get(ino, this.now()) !== undefined;
  }

  async getattr(ino: Ino): Promise<Attrs> {
    const hit = this.attrs.get(ino, this.now());
    if (hit) {
      this.counters.hits.attrs++;
      return hit.value;
    }
    this.counters.misses.attrs++;
    const epoch = this.epoch;
    const a = await this.staleGuard(ino, this.inner.getattr(ino));
    this.fillAttrs(a, epoch);
    return a;
  }

  /**
   * Every call is forwarded with its `cred`, and a cache hit is served only after the
   * same check the backend would make (search for LOOKUP, read for READDIR) against the cached
   * directory attributes — else one caller's lookup would open the directory to every caller.
   */
  async lookup(dir: Ino, name: string, cred: Cred): Promise<Attrs> {
    if (name === '.' || name === '..') return this.inner.lookup(dir, name, cred);
    const now = this.now();
    let hit = this.dentries.get(dir)?.get(name, now);
    if (hit) {
      const dirAttrs = this.attrs.get(dir, now);
      if (dirAttrs) checkSearch(dirAttrs.value, cred);
      else hit = undefined; // cannot check here: let the backend decide
    }
    if (hit) {
      this.counters.hits.dentries++;
      if (hit.value === null) throw new BackendError('ENOENT', `${name} (cached)`);
      const attrs = this.attrs.get(hit.value, this.now());
      if (attrs) return attrs.value;
    } else {
      this.counters.misses.dentries++;
    }
    const epoch = this.epoch;
    try {
      const a = await this.inner.lookup(dir, name, cred);
      if (this.epoch === epoch) {
        this.setDentry(dir, name, a.fileid);
        this.fillAttrs(a, epoch);
      } else this.counters.racedFills++;
      this.dropContradictedListing(dir, name, a.fileid);
      return a;
    } catch (err) {
      if (err instanceof BackendError && err.code === 'ENOENT') {
        if (this.epoch === epoch) this.setDentry(dir, name, null);
        this.dropContradictedListing(dir, name, null);
      }
      throw err;
    }
  }

  /**
   * The other half of dropContradictedDentries: a lookup just answered by the backend is newer
   * than a cached listing of the whole directory (one page from cookie 0 to eof) that lacks the
   * name, lists it as another object, or lists a name found absent. Without this a client could
   * LOOKUP a file made through another head or on the export and then not see it in a listing
   * until the upcall or the watcher's event arrives. Partial pages are left alone: a name may
   * sit in a page not cached. The epoch moves, so a listing still in flight cannot put it back.
   */
  private dropContradictedListing(dir: Ino, name: string, fileid: Ino | null): void {
    const pages = this.listings.get(dir, this.now())?.value;
    if (pages === undefined) return;
    for (const [key, page] of pages) {
      if (!page.eof || !key.startsWith('0:')) continue;
      const listed = page.entries.find((e) => e.name === name);
      if ((listed?.fileid ?? null) !== fileid) {
        this.dropListings(dir);
        this.bump();
        return;
      }
    }
  }

  async access(ino: Ino, cred: Cred, wanted: number): Promise<{ granted: number; attrs: Attrs }> {
    const epoch = this.epoch;
    const r = await this.inner.access(ino, cred, wanted);
    this.fillAttrs(r.attrs, epoch);
    return r;
  }

  /** Cached attributes, when fresh, go down with the read: the backend then skips its stat. */
  async read(
    ino: Ino,
    offset: number,
    count: number,
    cred: Cred,
    _known?: Attrs,
    into?: Buffer,
  ): Promise<ReadResult> {
    const known = this.attrs.get(ino, this.now());
    if (known) return this.inner.read(ino, offset, count, cred, known.value, into);
    const epoch = this.epoch;
    const r = await this.inner.read(ino, offset, count, cred, undefined, into);
    this.fillAttrs(r.attrs, epoch);
    return r;
  }

  async readlink(ino: Ino): Promise<{ target: string; attrs: Attrs }> {
    return this.inner.readlink(ino);
  }

  async statfs(ino: Ino): Promise<FsStat> {
    return this.inner.statfs(ino);
  }

  async readdir(
    dir: Ino,
    cookie: bigint,
    maxEntries: number,
    withAttrs: boolean,
    cred: Cred,
  ): Promise<DirPage> {
    const key = `${cookie}:${maxEntries}:${withAttrs ? 1 : 0}`;
    const now = this.now();
    const page = this.listings.get(dir, now)?.value.get(key);
    const served = page && this.assemble(dir, page, withAttrs, now);
    if (served) {
      if (cred) checkList(served.dirAttrs, cred);
      this.counters.hits.listings++;
      return served;
    }
    this.counters.misses.listings++;
    const epoch = this.epoch;
    const fresh = await this.inner.readdir(dir, cookie, maxEntries, withAttrs, cred);
    const raced = this.epoch !== epoch;
    // Even a raced listing is newer than the dentries it contradicts (this may move the epoch).
    this.dropContradictedDentries(dir, fresh.entries, cookie === 0n && fresh.eof);
    if (raced) {
      this.counters.racedFills++;
      return fresh;
    }
    const filled = this.epoch;
    this.fillAttrs(fresh.dirAttrs, filled);
    for (const e of fresh.entries) if (e.attrs) this.fillAttrs(e.attrs, filled);
    let pages = this.listings.get(dir, now)?.value;
    if (pages === undefined) {
      pages = new Map();
      this.listings.set(dir, pages, now + this.ttl);
    }
    pages.set(key, {
      entries: fresh.entries.map(({ name, fileid, cookie: c }) => ({ name, fileid, cookie: c })),
      eof: fresh.eof,
      verifier: fresh.verifier,
    });
    return fresh;
  }

  /**
   * A listing just read from the backend is newer than any dentry of `dir` filled before it, and
   * a listing is not always a cache hit: it misses whenever its fill raced an eviction or one
   * entry's attributes went. Without this, a client could list the directory fresh (a file
   * deleted directly on the export gone, or a new one there) and then LOOKUP the old answer
   * from the dentry cache until the watcher's event for that name arrives (parcel's batch, our
   * batch, or the poller's next pass: up to a second under load). So the dentries the listing
   * contradicts are dropped here: a name listed with another inode or cached as absent, and,
   * when the listing is the whole directory, a name it no longer holds. Only drops: the next
   * lookup asks the backend. The epoch moves when something was dropped, so a lookup still in
   * flight from before cannot put the old answer back.
   */
  private dropContradictedDentries(dir: Ino, entries: readonly DirEntry[], whole: boolean): void {
    const names = this.dentries.get(dir);
    if (names === undefined) return;
    const now = this.now();
    const listed = new Map<string, Ino>();
    for (const e of entries) if (e.name !== '.' && e.name !== '..') listed.set(e.name, e.fileid);
    const contradicted: string[] = [];
    for (const [name, fileid] of listed) {
      const d = names.get(name, now);
      if (d !== undefined && d.value !== fileid) contradicted.push(name);
    }
    if (whole)
      for (const name of names.keys()) {
        if (listed.has(name)) continue;
        const d = names.get(name, now);
        if (d !== undefined && d.value !== null) contradicted.push(name);
      }
    if (contradicted.length === 0) return;
    this.bump();
    for (const name of contradicted) if (names.delete(name)) this.counters.evictions.dentries++;
  }

  /** A cached page, served only if every attribute it needs is itself still cached (and so fresh). */
  private assemble(dir: Ino, page: CachedPage, withAttrs: boolean, now: number): DirPage | undefined {
    const dirAttrs = this.attrs.get(dir, now);
    if (!dirAttrs) return undefined;
    if (!withAttrs)
      return { entries: page.entries, eof: page.eof, verifier: page.verifier, dirAttrs: dirAttrs.value };
    const entries: DirEntry[] = [];
    for (const e of page.entries) {
      const a = e.name === '.' || e.name === '..' ? undefined : this.attrs.get(e.fileid, now);
      if (a === undefined && e.name !== '.' && e.name !== '..') return undefined;
      entries.push(a ? { ...e, attrs: a.value } : e);
    }
    return { entries, eof: page.eof, verifier: page.verifier, dirAttrs: dirAttrs.value };
  }

  // ---- changes through this cache: update from post-op attributes ----------------------------

  async setattr(
    ino: Ino,
    set: SetAttrs,
    cred: Cred,
    guardCtime?: { sec: number; nsec: number },
  ): Promise<Wcc> {
    return this.changed(await this.staleGuard(ino, this.inner.setattr(ino, set, cred, guardCtime)), ino);
  }

  async write(ino: Ino, offset: number, data: Buffer, stable: Stability, cred: Cred): Promise<WriteResult> {
    const r = await this.staleGuard(ino, this.inner.write(ino, offset, data, stable, cred));
    this.changed(r.wcc, ino);
    return r;
  }

  async fsync(ino: Ino): Promise<Attrs> {
    return this.inner.fsync(ino);
  }

  async create(dir: Ino, name: string, how: CreateHow, cred: Cred): Promise<CreateResult> {
    return this.entryAdded(
      dir,
      name,
      await this.existsOnEexist(dir, name, this.inner.create(dir, name, how, cred)),
    );
  }

  async mkdir(dir: Ino, name: string, mode: number, cred: Cred): Promise<CreateResult> {
    return this.entryAdded(
      dir,
      name,
      await this.existsOnEexist(dir, name, this.inner.mkdir(dir, name, mode, cred)),
    );
  }

  /**
   * EEXIST proves a cached "no such name" wrong (another client made it meanwhile): forget it,
   * so the caller's retry (an SMB OPEN_IF losing a race, smb2.create.mkdir-dup) looks again.
   */
  private async existsOnEexist<T>(dir: Ino, name: string, op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      if (err instanceof BackendError && err.code === 'EEXIST') this.dentries.get(dir)?.delete(name);
      throw err;
    }
  }

  async symlink(dir: Ino, name: string, target: string, mode: number, cred: Cred): Promise<CreateResult> {
    return this.entryAdded(dir, name, await this.inner.symlink(dir, name, target, mode, cred));
  }

  async mknod(
    dir: Ino,
    name: string,
    type: SpecialType,
    mode: number,
    rdev: { major: number; minor: number },
    cred: Cred,
  ): Promise<CreateResult> {
    return this.entryAdded(dir, name, await this.inner.mknod(dir, name, type, mode, rdev, cred));
  }

  async link(ino: Ino, dir: Ino, name: string, cred: Cred): Promise<{ attrs: Attrs; dir: Wcc }> {
    const r = await this.inner.link(ino, dir, name, cred);
    this.entryAdded(dir, name, r, false);
    return r;
  }

  async remove(dir: Ino, name: string, cred: Cred): Promise<RemoveResult> {
    return this.entryRemoved(dir, name, await this.inner.remove(dir, name, cred));
  }

  async rmdir(dir: Ino, name: string, cred: Cred): Promise<RemoveResult> {
    return this.entryRemoved(dir, name, await this.inner.rmdir(dir, name, cred));
  }

  async rename(
    fromDir: Ino,
    fromName: string,
    toDir: Ino,
    toName: string,
    cred: Cred,
  ): Promise<RenameResult> {
    const r = await this.inner.rename(fromDir, fromName, toDir, toName, cred);
    this.bump();
    if (r.replaced) this.dropObject(r.replaced.attrs.fileid, r.replaced.gone, r.replaced.attrs);
    this.dropListings(fromDir);
    this.dropListings(toDir);
    this.setDentry(fromDir, fromName, null);
    this.setDentry(toDir, toName, r.moved.fileid);
    this.refresh(r.moved);
    this.storeWcc(r.fromDir, fromDir);
    this.storeWcc(r.toDir, toDir);
    // A moved directory's '..' changed.
    this.dropListings(r.moved.fileid);
    return r;
  }

  /**
   * ESTALE: the object behind `ino` is gone although a cached name may still lead to it (it was
   * removed outside the gateway and the watcher's upcall has not arrived yet). Its attributes
   * go, so a name cached as leading to it is looked up in the backend again (lookup serves a
   * dentry only with its attributes) and the caller may retry by name.
   */
  private async staleGuard<T>(ino: Ino, op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      if (err instanceof BackendError && err.code === 'ESTALE') {
        this.bump();
        this.attrs.delete(ino);
        this.alive.delete(ino);
      }
      throw err;
    }
  }

  private changed(wcc: Wcc, ino: Ino): Wcc {
    this.bump();
    this.storeWcc(wcc, ino);
    this.seenAlive(ino);
    return wcc;
  }

  /** `created`: the object is new (its creator registered it), not a new name of an existing one. */
  private entryAdded<R extends { attrs: Attrs; dir: Wcc }>(dir: Ino, name: string, r: R, created = true): R {
    this.bump();
    this.dropListings(dir);
    this.setDentry(dir, name, r.attrs.fileid);
    if (created) this.store(r.attrs);
    else this.refresh(r.attrs);
    this.storeWcc(r.dir, dir);
    return r;
  }

  private entryRemoved(dir: Ino, name: string, r: RemoveResult): RemoveResult {
    this.bump();
    this.dropListings(dir);
    this.setDentry(dir, name, null);
    this.storeWcc(r.dir, dir);
    this.dropObject(r.target.fileid, r.gone, r.target);
    return r;
  }

  private dropObject(ino: Ino, gone: boolean, attrs: Attrs): void {
    if (gone) {
      this.attrs.delete(ino);
      this.alive.delete(ino);
      this.dentries.delete(ino);
      this.listings.delete(ino);
    } else this.refresh(attrs);
  }

  // ---- CacheAdapter: what upcalls evict -----------------------------------------------------

  evictAttrs(inode: InodeKey): void {
    this.bump();
    if (this.attrs.delete(inoOfKey(inode))) this.counters.evictions.attrs++;
  }

  evictDentry(dir: InodeKey, name?: string): void {
    this.bump();
    const d = inoOfKey(dir);
    if (name === undefined) {
      if (this.dentries.delete(d)) this.counters.evictions.dentries++;
    } else if (this.dentries.get(d)?.delete(name)) this.counters.evictions.dentries++;
  }

  evictListing(dir: InodeKey): void {
    this.bump();
    this.dropListings(inoOfKey(dir));
  }

  evictHandle(inode: InodeKey): void {
    this.alive.delete(inoOfKey(inode));
    this.evictAttrs(inode);
    this.evictDentry(inode);
    this.evictListing(inode);
  }

  flushAll(): void {
    this.bump();
    this.attrs.clear();
    this.alive.clear();
    this.dentries.clear();
    this.listings.clear();
    this.counters.evictions.flushes++;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private bump(): void {
    this.epoch++;
  }

  private fillAttrs(a: Attrs | undefined, epoch: number): void {
    if (a === undefined || this.ttl === 0) return;
    if (this.epoch !== epoch) {
      this.counters.racedFills++;
      return;
    }
    this.attrs.set(a.fileid, a, this.now() + this.ttl);
    this.seenAlive(a.fileid);
  }

  /** Stores a new object's attributes (the creator registered it), not subject to the race check. */
  private store(a: Attrs): void {
    if (this.ttl > 0) this.attrs.set(a.fileid, a, this.now() + this.ttl);
    this.seenAlive(a.fileid);
  }

  private seenAlive(ino: Ino): void {
    if (this.ttl > 0) this.alive.set(ino, true, this.now() + this.ttl);
  }

  /**
   * Post-op attributes of an object that existed: they replace what is held, and are dropped if
   * nothing is. Holding starts only with a registered read: an object this client was told
   * about (evicted) and has not read since stays out, so the store may leave it out of later
   * changes of the same kind (told once) without leaving it stale.
   */
  private refresh(a: Attrs): void {
    if (this.attrs.get(a.fileid, this.now()) !== undefined) this.store(a);
  }

  private storeWcc(wcc: Wcc, ino: Ino): void {
    if (wcc.after) this.refresh(wcc.after);
    else this.attrs.delete(ino);
  }

  private setDentry(dir: Ino, name: string, ino: Ino | null): void {
    if (this.ttl === 0) return;
    let names = this.dentries.get(dir);
    if (names === undefined) {
      names = new TtlMap(10_000);
      this.dentries.set(dir, names);
      // Bound the number of directories too: the oldest one goes first.
      if (this.dentries.size > this.maxDirs) this.dentries.delete(this.dentries.keys().next().value as Ino);
    }
    names.set(name, ino, this.now() + this.ttl);
  }

  private dropListings(dir: Ino): void {
    if (this.listings.delete(dir)) this.counters.evictions.listings++;
  }
}
