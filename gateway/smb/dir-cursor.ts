/**
 * A directory open's enumeration position (MS-SMB2 §3.3.1.10 Open.EnumerationLocation and
 * Open.EnumerationSearchPattern), over the Backend's paged readdir with attributes. Entries are
 * fetched a page at a time, filtered by the pattern, and handed out one by one: an entry that
 * did not fit a QUERY_DIRECTORY response stays first for the next one (peek, then take).
 *
 * A pattern without wildcards is first tried as an exact lookup (smbclient's `rm` and `ls
 * name` send one), so it costs one lookup, not a scan; if the exact name is absent the scan
 * still runs, matching case-insensitively as Windows clients expect.
 */
import type { Ino } from '../backend/attrs';
import type { Backend, Cred, DirEntry } from '../backend/backend';
import { BackendError } from '../backend/errors';
import { compileWildcard, hasWildcards } from './wildcard';

/** Entries asked of the backend per page (a constant, so the metadata cache's pages line up). */
export const DIR_PAGE_ENTRIES = 256;

export class DirCursor {
  private cookie = 0n;
  private eof = false;
  private pending: DirEntry[] = [];
  private idx = 0;
  private exactTried = false;
  /** Whether `pending` is a readdir page (not the exact-lookup answer). */
  private scanned = false;
  /** Entries of `pending` below this index were read for an earlier query: checked again first. */
  private recheckBelow = 0;
  /** The entry at this index has been checked again already. */
  private checkedIdx = -1;
  private readonly matcher: (name: string) => boolean;
  /** Whether anything was handed out since the (re)start: NO_MORE_FILES vs NO_SUCH_FILE. */
  returnedAny = false;

  constructor(
    private readonly backend: Backend,
    private readonly dir: Ino,
    private readonly cred: Cred,
    readonly pattern: string,
  ) {
    this.matcher = compileWildcard(pattern);
  }

  /** The next matching entry (with attrs), not consumed; undefined at the end. */
  async peek(): Promise<DirEntry | undefined> {
    if (!this.exactTried) {
      this.exactTried = true;
      if (this.pattern !== '' && !hasWildcards(this.pattern) && (await this.tryExact()))
        return this.current();
    }
    for (;;) {
      while (this.idx >= this.pending.length && !this.eof) {
        const page = await this.backend.readdir(this.dir, this.cookie, DIR_PAGE_ENTRIES, true, this.cred);
        const last = page.entries.at(-1);
        if (last) this.cookie = last.cookie;
        this.eof = page.eof || page.entries.length === 0;
        this.pending = await this.withAttrs(page.entries.filter((e) => this.matcher(e.name)));
        this.idx = 0;
        this.scanned = true;
        this.recheckBelow = 0;
      }
      const e = this.current();
      if (!e || this.idx >= this.recheckBelow || this.idx === this.checkedIdx) return e;
      const now = await this.stillThere(e);
      if (now) {
        this.pending[this.idx] = now;
        this.checkedIdx = this.idx;
        return now;
      }
      this.idx++;
    }
  }

  /** Consumes the entry `peek` returned. */
  take(): void {
    if (this.idx < this.pending.length) {
      this.idx++;
      this.returnedAny = true;
    }
  }

  /**
   * A new QUERY_DIRECTORY on a scan in progress: what is left of the page read for an earlier
   * one may name entries removed meanwhile (smbtorture dir.fixed), so each is looked up again
   * before it is handed out — one lookup per entry, not a page re-read per query.
   */
  resume(): void {
    if (!this.scanned) return;
    this.recheckBelow = this.pending.length;
    this.checkedIdx = -1;
  }

  /** `e` as the directory has it now (fresh attributes), or undefined if it is gone or replaced. */
  private async stillThere(e: DirEntry): Promise<DirEntry | undefined> {
    try {
      const attrs = await this.backend.lookup(this.dir, e.name, this.cred);
      return attrs.fileid === e.fileid ? { ...e, attrs } : undefined;
    } catch (err) {
      if (err instanceof BackendError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * A page served from the metadata cache may leave an entry without attributes ('.' and '..'
   * always): fetch those (a cache hit as a rule); an entry that vanished meanwhile is dropped.
   */
  private async withAttrs(entries: DirEntry[]): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    for (const e of entries) {
      if (e.attrs) out.push(e);
      else {
        const attrs = await this.backend.getattr(e.fileid).catch(() => undefined);
        if (attrs) out.push({ ...e, attrs });
      }
    }
    return out;
  }

  private current(): DirEntry | undefined {
    return this.pending[this.idx];
  }

  private async tryExact(): Promise<boolean> {
    try {
      const attrs = await this.backend.lookup(this.dir, this.pattern, this.cred);
      this.pending = [{ name: this.pattern, fileid: attrs.fileid, cookie: 0n, attrs }];
      this.idx = 0;
      this.eof = true;
      return true;
    } catch (err) {
      if (err instanceof BackendError && err.code === 'ENOENT') return false;
      throw err;
    }
  }
}
