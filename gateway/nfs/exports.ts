import { BlockList, isIP } from 'node:net';
import type { Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import type { AuthSys } from '../rpc/types';
import { NFS3_FHSIZE } from './nfs3-limits';
import { Nfs3Error, Nfs3Stat } from './nfs3-status';

/**
 * Exports: what a client may mount, from where, and as whom. Shared by MOUNT (which hands out
 * root handles and checks addresses) and NFS (which routes every handle to its export and
 * maps AUTH_SYS to a Cred). One export = one Backend.
 *
 * Routing a handle to its export: with several exports (or `prefixHandles: true`) the nfs_fh3
 * is one byte of export id (`handleId`, stable across restarts) then the backend's handle, which
 * must then fit in 63 bytes. A lone export passes the backend's handle through unchanged and
 * so leaves it all 64 bytes (PosixBackend's deep-path hints use them). Going from one export to
 * several changes the lone export's handles: set `prefixHandles` from the start if you plan to.
 */

export interface ExportConfig {
  /** What clients mount, e.g. '/export'. */
  readonly name: string;
  /** Where it lives on the gateway (used by whoever opens the Backend). */
  readonly path: string;
  readonly readOnly?: boolean;
  /** CIDR blocks or single addresses allowed to mount and call. Default: everyone. */
  readonly allowed?: readonly string[];
  /** Map uid 0 / gid 0 to the anonymous ids. Default true. */
  readonly rootSquash?: boolean;
  readonly anonUid?: number;
  readonly anonGid?: number;
  /** The handle's first byte (0–255). Default: the export's index. Keep it fixed across restarts. */
  readonly handleId?: number;
}

export type ResolvedExportConfig = Required<ExportConfig>;

export const DEFAULT_ALLOWED: readonly string[] = ['0.0.0.0/0', '::/0'];
export const ANON_ID = 65534;

/** The handle codec a Backend's owner provides (PosixBackend satisfies it structurally). */
export interface FileHandles {
  handleOf(ino: Ino): Buffer;
  /** Throws BackendError EBADHANDLE for a handle it never issued, ESTALE for a deleted object. */
  resolveHandle(h: Buffer): Promise<Ino>;
}

export interface ExportSource {
  readonly config: ExportConfig;
  readonly backend: Backend;
  readonly handles: FileHandles;
}

/** Accepts 'a.b.c.d', 'a.b.c.d/n', IPv6 with or without '/n'; throws on anything else. */
export function buildAllowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr, bits, extra] = cidr.trim().split('/');
    const family = isIP(addr ?? '');
    if (extra !== undefined || family === 0) throw new Error(`export: bad address block '${cidr}'`);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || bits === '') {
      throw new Error(`export: bad prefix length in '${cidr}'`);
    }
    list.addSubnet(addr!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** Is `address` (as a socket reports it: IPv4, IPv6, IPv4-mapped IPv6, maybe a zone) in `list`? */
export function addressAllowed(list: BlockList, address: string): boolean {
  const bare = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  const family = isIP(bare);
  if (family === 0) return false;
  // BlockList matches IPv4-mapped IPv6 against IPv4 blocks and the reverse (node ≥ 15).
  return list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

const MAX_CACHED_ADDRESSES = 1024;

export class NfsExport {
  readonly config: ResolvedExportConfig;
  private readonly allowList: BlockList;
  private readonly allowedCache = new Map<string, boolean>();
  private readonly anonymous: Cred;

  constructor(
    config: ExportConfig,
    readonly id: number,
    readonly backend: Backend,
    readonly handles: FileHandles,
    /** Whether this export's nfs_fh3 starts with its id byte (see the file comment). */
    readonly prefixed = true,
  ) {
    this.config = {
      name: normalizeDirpath(config.name),
      path: config.path,
      readOnly: config.readOnly ?? false,
      allowed: config.allowed ?? DEFAULT_ALLOWED,
      rootSquash: config.rootSquash ?? true,
      anonUid: config.anonUid ?? ANON_ID,
      anonGid: config.anonGid ?? ANON_ID,
      handleId: id,
    };
    this.allowList = buildAllowList(this.config.allowed);
    this.anonymous = { uid: this.config.anonUid, gid: this.config.anonGid, gids: [] };
  }

  allows(address: string): boolean {
    let ok = this.allowedCache.get(address);
    if (ok === undefined) {
      ok = addressAllowed(this.allowList, address);
      if (this.allowedCache.size >= MAX_CACHED_ADDRESSES) this.allowedCache.clear();
      this.allowedCache.set(address, ok);
    }
    return ok;
  }

  /** AUTH_SYS → Cred (root squashed when configured); AUTH_NONE (null) → anonymous. */
  credOf(auth: AuthSys | null): Cred {
    if (auth === null) return this.anonymous;
    if (!this.config.rootSquash) return { uid: auth.uid, gid: auth.gid, gids: auth.gids };
    const { anonUid, anonGid } = this.config;
    return {
      uid: auth.uid === 0 ? anonUid : auth.uid,
      gid: auth.gid === 0 ? anonGid : auth.gid,
      gids: auth.gids.includes(0) ? auth.gids.map((g) => (g === 0 ? anonGid : g)) : auth.gids,
    };
  }

  /** The nfs_fh3 for `ino`: our export byte (when prefixed), then the backend's handle. */
  handleOf(ino: Ino): Buffer {
    const inner = this.handles.handleOf(ino);
    if (!this.prefixed) {
      if (inner.length > NFS3_FHSIZE) throw new Error(`export ${this.config.name}: backend handle too long`);
      return inner;
    }
    if (inner.length + 1 > NFS3_FHSIZE)
      throw new Error(`export ${this.config.name}: backend handle too long`);
    const fh = Buffer.allocUnsafe(inner.length + 1);
    fh[0] = this.id;
    inner.copy(fh, 1);
    return fh;
  }

  rootHandle(): Buffer {
    return this.handleOf(this.backend.rootIno);
  }
}

/** Every export of one server, found by name (MOUNT) or by handle (NFS). */
export interface ExportTableOptions {
  /** Prefix every handle with its export's id byte. Default: only when there are several exports. */
  readonly prefixHandles?: boolean;
}

export class ExportTable {
  private readonly byId = new Map<number, NfsExport>();
  readonly list: readonly NfsExport[];
  readonly prefixed: boolean;

  constructor(sources: readonly ExportSource[], opts: ExportTableOptions = {}) {
    if (sources.length === 0) throw new Error('ExportTable: no exports');
    this.prefixed = opts.prefixHandles ?? sources.length > 1;
    if (!this.prefixed && sources.length > 1)
      throw new Error('ExportTable: several exports need prefixed handles');
    const list: NfsExport[] = [];
    const names = new Set<string>();
    sources.forEach((s, index) => {
      const id = s.config.handleId ?? index;
      if (!Number.isInteger(id) || id < 0 || id > 255)
        throw new Error(`export ${s.config.name}: handleId 0..255`);
      if (this.byId.has(id)) throw new Error(`export ${s.config.name}: handleId ${id} used twice`);
      const e = new NfsExport(s.config, id, s.backend, s.handles, this.prefixed);
      if (names.has(e.config.name)) throw new Error(`export ${e.config.name} declared twice`);
      names.add(e.config.name);
      this.byId.set(id, e);
      list.push(e);
    });
    this.list = list;
  }

  byName(dirpath: string): NfsExport | undefined {
    const name = normalizeDirpath(dirpath);
    return this.list.find((e) => e.config.name === name);
  }

  /** The export a handle belongs to and the backend's part of it; BADHANDLE when neither fits. */
  route(fh: Buffer): { exp: NfsExport; inner: Buffer } {
    if (!this.prefixed) return { exp: this.list[0]!, inner: fh };
    const exp = fh.length > 1 ? this.byId.get(fh[0]!) : undefined;
    if (exp === undefined) throw new Nfs3Error(Nfs3Stat.NFS3ERR_BADHANDLE, 'handle names no export');
    return { exp, inner: fh.subarray(1) };
  }
}

/** '/export/' and '/export' and '//export' are one name; '' is '/'. */
export function normalizeDirpath(p: string): string {
  const parts = p.split('/').filter((s) => s.length > 0);
  return `/${parts.join('/')}`;
}
