import type { Attrs, Ino, SetAttrs, Wcc } from './attrs';

/**
 * The Backend seam (the FSAL). Everything above the gateway's storage talks to it, keyed by
 * inode, never by path. Modifying methods return post-op (and pre-op where NFS wcc data needs
 * it) attributes, so neither the protocol reply nor the upcall event needs another stat.
 * Failures are thrown as `BackendError` carrying a POSIX code, never a protocol status.
 */

/** The caller's identity (AUTH_SYS, or an SMB session's mapped user). */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly gids: readonly number[];
}

export interface DirEntry {
  readonly name: string;
  readonly fileid: Ino;
  /** Opaque, nonzero position after this entry; pass it back to continue the listing. */
  readonly cookie: bigint;
  /** Present when `readdir` was asked for attributes (READDIRPLUS, SMB directory queries). */
  readonly attrs?: Attrs;
}

export interface DirPage {
  readonly entries: readonly DirEntry[];
  readonly eof: boolean;
  /** Changes when the directory changes, so stale cookies can be refused (cookieverf3). */
  readonly verifier: bigint;
  readonly dirAttrs: Attrs;
}

export interface ReadResult {
  readonly data: Buffer;
  readonly eof: boolean;
  readonly attrs: Attrs;
}

export type Stability = 'unstable' | 'data-sync' | 'file-sync';

export interface WriteResult {
  readonly count: number;
  readonly committed: Stability;
  readonly wcc: Wcc;
}

/** A new object and its parent's wcc data. */
export interface CreateResult {
  readonly attrs: Attrs;
  readonly dir: Wcc;
}

export interface CreateHow {
  readonly mode: number;
  /** When set, create fails with EEXIST if the name exists (NFSv3 GUARDED / SMB FILE_CREATE). */
  readonly guarded?: boolean;
  /** NFSv3 EXCLUSIVE: the verifier is stored so a retransmitted create succeeds idempotently. */
  readonly exclusiveVerifier?: bigint;
  /** Initial size, e.g. truncate on create (NFSv3 UNCHECKED with size 0, SMB OVERWRITE_IF). */
  readonly size?: number;
}

export interface RemoveResult {
  readonly dir: Wcc;
  /** The removed object's attributes as they are now (nlink already decremented). */
  readonly target: Attrs;
  /** True when the last link went: the inode is gone (upcall FORGET). */
  readonly gone: boolean;
}

export interface RenameResult {
  readonly fromDir: Wcc;
  readonly toDir: Wcc;
  readonly moved: Attrs;
  /** The object the rename replaced at the destination, if any. */
  readonly replaced?: { readonly attrs: Attrs; readonly gone: boolean };
}

export interface FsStat {
  readonly totalBytes: number;
  readonly freeBytes: number;
  readonly availBytes: number;
  readonly totalFiles: number;
  readonly freeFiles: number;
  readonly availFiles: number;
}

export type SpecialType = 'chr' | 'blk' | 'sock' | 'fifo';

/**
 * Permissions: every call that touches names or data carries the caller's `Cred` and is checked
 * with POSIX rules (see permission.ts) — the gateway runs as root, so nothing else checks. The
 * Cred is required here so that no layer (protocol server, plugin, cache) can drop it unnoticed;
 * only PosixBackend itself accepts its absence, for trusted internal callers.
 */
export interface Backend {
  /** The export's root directory. */
  readonly rootIno: Ino;

  getattr(ino: Ino): Promise<Attrs>;
  /** Needs search (x) permission on `dir`. */
  lookup(dir: Ino, name: string, cred: Cred): Promise<Attrs>;
  /** `guardCtime`: NFSv3 sattrguard3 — fail with ENOTSYNC (NFS3ERR_NOT_SYNC) if ctime differs. */
  setattr(ino: Ino, set: SetAttrs, cred: Cred, guardCtime?: { sec: number; nsec: number }): Promise<Wcc>;
  access(ino: Ino, cred: Cred, wanted: number): Promise<{ granted: number; attrs: Attrs }>;
  /**
   * Needs read (or execute) permission, or ownership. `known`: attributes the caller already
   * holds and trusts (a coherent cache): they are used for the permission check, `eof` and the
   * reply, which saves a stat round trip per call. Without it the backend stats the file.
   * `into`: a buffer of at least `count` bytes the backend may read into (SMB READ passes the
   * response body); `data` is then a view of it. A backend may ignore it and return its own.
   */
  read(
    ino: Ino,
    offset: number,
    count: number,
    cred: Cred,
    known?: Attrs,
    into?: Buffer,
  ): Promise<ReadResult>;
  /** Needs write permission, or ownership. */
  write(ino: Ino, offset: number, data: Buffer, stable: Stability, cred: Cred): Promise<WriteResult>;
  /** New entries need write and search permission on `dir`; `cred` also owns what is made. */
  create(dir: Ino, name: string, how: CreateHow, cred: Cred): Promise<CreateResult>;
  mkdir(dir: Ino, name: string, mode: number, cred: Cred): Promise<CreateResult>;
  symlink(dir: Ino, name: string, target: string, mode: number, cred: Cred): Promise<CreateResult>;
  mknod(
    dir: Ino,
    name: string,
    type: SpecialType,
    mode: number,
    rdev: { major: number; minor: number },
    cred: Cred,
  ): Promise<CreateResult>;
  link(ino: Ino, dir: Ino, name: string, cred: Cred): Promise<{ attrs: Attrs; dir: Wcc }>;
  /** Needs write and search permission on `dir`, and in a sticky `dir` ownership of one of them. */
  remove(dir: Ino, name: string, cred: Cred): Promise<RemoveResult>;
  rmdir(dir: Ino, name: string, cred: Cred): Promise<RemoveResult>;
  rename(fromDir: Ino, fromName: string, toDir: Ino, toName: string, cred: Cred): Promise<RenameResult>;
  /** `cookie` 0n starts at the beginning; `maxEntries` bounds the page. Needs read permission on `dir`. */
  readdir(dir: Ino, cookie: bigint, maxEntries: number, withAttrs: boolean, cred: Cred): Promise<DirPage>;
  readlink(ino: Ino): Promise<{ target: string; attrs: Attrs }>;
  /** Flush data to stable storage (NFSv3 COMMIT, SMB FLUSH). */
  fsync(ino: Ino): Promise<Attrs>;
  statfs(ino: Ino): Promise<FsStat>;
}
