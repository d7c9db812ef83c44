/** One grant held by this head: `client` may leave attribute changes of `flags` on an inode unsent. */
interface Grant {
  readonly flags: number;
  /** Local clock (ms): the grant is used only before this (shorter than the store's, see below). */
  readonly until: number;
  /** The store's id of the grant (its expiry on the store's clock): what a recall names. */
  readonly id: number;
}

/** How long a recall is remembered: a grant granted before it may reach us after it. */
const RECALL_MEMORY_MS = 10_000;

/**
 * Quiet writes (a write delegation, as in NFSv4, for attribute changes): the store grants a
 * client that changed an inode while every other recent client of it was already told of such
 * changes (told once, CHANGE_LUA) the right to make further changes of the same kind without
 * asking the store, for a short lease. Nobody else would be told of them anyway until they read
 * the inode again; a read registers first (TOUCH_LUA), which recalls the grant through the
 * holder's delivery stream and waits for the holder's acknowledgement (or the lease's end)
 * before it fetches. So one writer, or two heads writing one file in turn, publish once per lease
 * instead of once per write.
 *
 * The local lease ends `margin` before the store's: this head's clock starts when the change is
 * queued, before the store stamped it. A recall may overtake the reply that granted (two
 * connections): recalled ids are remembered for a while so that such a grant is never installed.
 */
export class QuietGrants {
  private readonly held = new Map<string, Grant>();
  private readonly recalled = new Map<string, number>();

  constructor(
    /** Lease length on the store (ms); 0 turns grants off. */
    readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Whether `client` may leave a change of `flags` on `inode` unsent now. */
  covers(client: string, inode: string, flags: number): boolean {
    const g = this.held.get(key(client, inode));
    if (g === undefined) return false;
    if (this.now() >= g.until) {
      this.held.delete(key(client, inode));
      return false;
    }
    return (flags & ~g.flags) === 0;
  }

  /** The store granted `flags` (id: its expiry on the store's clock) to a change queued at `queuedAt`. */
  install(client: string, inode: string, flags: number, id: number, queuedAt: number): void {
    const k = key(client, inode);
    if (this.recalled.get(k) === id) return; // recalled before its grant reached us
    this.held.set(k, { flags, id, until: queuedAt + this.leaseMs * 0.9 });
  }

  /** The store recalled grant `id` (0: whatever is held): later changes go to the store again. */
  recall(client: string, inode: string, id: number): void {
    const k = key(client, inode);
    const g = this.held.get(k);
    if (g !== undefined && (id === 0 || g.id <= id)) this.held.delete(k);
    if (id !== 0) {
      this.pruneRecalled();
      this.recalled.set(k, id);
    }
  }

  /** `client` may have missed a recall (a gap in its stream): it gives up every grant. */
  dropClient(client: string): void {
    const prefix = `${client}\n`;
    for (const k of this.held.keys()) if (k.startsWith(prefix)) this.held.delete(k);
  }

  /** The link went down (recalls may be lost meanwhile): every grant goes. */
  clear(): void {
    this.held.clear();
  }

  private pruneRecalled(): void {
    if (this.recalled.size < 1024) return;
    const old = this.now() - RECALL_MEMORY_MS;
    for (const [k, id] of this.recalled) if (id < old) this.recalled.delete(k);
  }
}

const key = (client: string, inode: string) => `${client}\n${inode}`;
