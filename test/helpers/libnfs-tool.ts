/**
 * Drives libnfs-tool.c (libnfs's synchronous API, one NFS operation per run) from tests, so every
 * NFSv3 procedure is exercised by a third-party client:
 *
 *   const nfs = await libnfsTool(head.url);               // compiled once per source hash
 *   await nfs.mkdir('/d', 0o750);                          // MKDIR
 *   expect((await nfs.stat('/d')).mode & 0o7777).toBe(0o750);
 *   await expect(nfs.rmdir('/nope')).rejects.toMatchObject({ code: 'ENOENT' });
 *
 * A failure rejects with a LibnfsError carrying libnfs's own text (the NFS status name, e.g.
 * "NFS3ERR_ACCES") and the errno libnfs mapped it to.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './peers';

const SOURCE = join(__dirname, 'libnfs-tool.c');
const USAGE_EXIT = 255;

/** gcc and libnfs's headers (libnfs-dev) are both needed to build the tool. */
export const libnfsToolBuildable: boolean = hasCommand('gcc') && existsSync('/usr/include/nfsc/libnfs.h');

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

export class LibnfsError extends Error {
  override name = 'LibnfsError';
  constructor(
    /** The command that failed, e.g. 'chmod'. */
    readonly command: string,
    /** errno as libnfs reported it (exit status); 0 when the tool did not run to an answer. */
    readonly errno: number,
    /** The errno's name ('EACCES'), or 'USAGE' / 'UNKNOWN'. */
    readonly code: string,
    /** libnfs's error text, e.g. `NFS: SETATTR failed with NFS3ERR_PERM(-1)`. */
    readonly stderr: string,
  ) {
    super(`libnfs-tool ${command}: ${code} — ${stderr.trim()}`);
  }
}

/** Builds (or finds the cached build of) the tool; returns the binary's path. */
export function buildLibnfsTool(): string {
  const src = readFileSync(SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `upcall-libnfs-tool-${hash}`);
  const bin = join(dir, 'libnfs-tool');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  // Build beside and rename: jest workers may race to build the same hash.
  const tmp = `${bin}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    execFileSync('gcc', ['-O1', '-Wall', '-o', tmp, SOURCE, '-lnfs'], { stdio: 'pipe', timeout: 60_000 });
    renameSync(tmp, bin);
  } finally {
    rmSync(tmp, { force: true });
  }
  return bin;
}

export interface NfsStat {
  size: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Decimal string: the fileid is 64-bit. */
  ino: string;
  rdev: number;
  atime: number;
  mtime: number;
  mtimeNsec: number;
  ctime: number;
}

export interface NfsDirent {
  name: string;
  ino: string;
  /** ftype3: 1 REG, 2 DIR, 3 BLK, 4 CHR, 5 LNK, 6 SOCK, 7 FIFO. */
  type: number;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  nlink: number;
}

export interface NfsStatvfs {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namemax: number;
}

/** Adds `uid`/`gid` (the AUTH_SYS identity libnfs sends; default: this process's) to a URL. */
export function withIdentity(url: string, id: { uid: number; gid: number }): string {
  return `${url}${url.includes('?') ? '&' : '?'}uid=${id.uid}&gid=${id.gid}`;
}

export class LibnfsTool {
  constructor(
    readonly bin: string,
    /** The export's URL, `nfs://host/export?nfsport=P&mountport=P`. */
    readonly url: string,
    readonly timeoutMs = 20_000,
  ) {}

  /** The same tool, as another AUTH_SYS identity. */
  as(id: { uid: number; gid: number }): LibnfsTool {
    return new LibnfsTool(this.bin, withIdentity(this.url, id), this.timeoutMs);
  }

  /** Runs one command; resolves with stdout. */
  run(command: string, ...args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      execFile(
        this.bin,
        [this.url, command, ...args],
        { encoding: 'buffer', timeout: this.timeoutMs, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const status = typeof err.code === 'number' ? err.code : 0;
          const code =
            status === USAGE_EXIT
              ? 'USAGE'
              : (errnoNames.get(status) ?? `UNKNOWN(${err.code ?? err.signal})`);
          reject(new LibnfsError(command, status, code, stderr.toString('utf8') || err.message));
        },
      );
    });
  }

  private async json<T>(command: string, ...args: string[]): Promise<T> {
    return JSON.parse((await this.run(command, ...args)).toString('utf8')) as T;
  }

  private async done(command: string, ...args: string[]): Promise<void> {
    await this.run(command, ...args);
  }

  /** GETATTR (after LOOKUPs); follows a final symlink. */
  stat = (path: string) => this.json<NfsStat>('stat', path);
  lstat = (path: string) => this.json<NfsStat>('lstat', path);
  /** READDIRPLUS, every page; '.' and '..' included as libnfs returns them. */
  ls = (dir: string) => this.json<NfsDirent[]>('ls', dir);
  /** READ, whole file. */
  cat = (path: string) => this.run('cat', path);
  readlink = async (path: string) => (await this.json<{ target: string }>('readlink', path)).target;
  /** FSSTAT (+ PATHCONF for namemax). */
  statvfs = (path: string) => this.json<NfsStatvfs>('statvfs', path);
  /** SETATTR mode. */
  chmod = (path: string, mode: number) => this.done('chmod', path, mode.toString(8));
  /** SETATTR uid/gid. */
  chown = (path: string, uid: number, gid: number) => this.done('chown', path, String(uid), String(gid));
  /** SETATTR size. */
  truncate = (path: string, size: number) => this.done('truncate', path, String(size));
  /** SETATTR atime/mtime (seconds). */
  utimes = (path: string, atime: number, mtime: number) =>
    this.done('utimes', path, String(atime), String(mtime));
  mkdir = (path: string, mode = 0o755) => this.done('mkdir', path, mode.toString(8));
  rmdir = (path: string) => this.done('rmdir', path);
  /** REMOVE. */
  unlink = (path: string) => this.done('unlink', path);
  rename = (from: string, to: string) => this.done('rename', from, to);
  link = (existing: string, path: string) => this.done('link', existing, path);
  symlink = (target: string, path: string) => this.done('symlink', target, path);
  /** MKNOD; `mode` includes the type bits (0o010000 FIFO, 0o020000 CHR, 0o060000 BLK, 0o140000 SOCK). */
  mknod = (path: string, mode: number, major = 0, minor = 0) =>
    this.done('mknod', path, mode.toString(8), String(major), String(minor));
  /** CREATE (libnfs: GUARDED/UNCHECKED with the mode). */
  creat = (path: string, mode = 0o644) => this.done('creat', path, mode.toString(8));
  /** ACCESS: rejects when any of `want` is denied; resolves with the granted R/W/X mask (4/2/1). */
  access = async (path: string, want: string) =>
    (await this.json<{ granted: number }>('access', path, want)).granted;
  /** WRITE at `offset` of an existing file, then COMMIT (fsync) when `sync`. */
  write = async (path: string, offset: number, text: string, sync = false) =>
    (await this.json<{ written: number }>('write', path, String(offset), text, ...(sync ? ['sync'] : [])))
      .written;
}

/** The tool for `url`, building it first if this source was never built here. */
export function libnfsTool(url: string): LibnfsTool {
  return new LibnfsTool(buildLibnfsTool(), url);
}
