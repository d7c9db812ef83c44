/**
 * The seams of the ONC RPC layer (RFC 5531) and XDR (RFC 4506). A program (NFS, MOUNT,
 * PORTMAP) is a dense table of procedures; the RPC server decodes the call header, picks the
 * procedure, and writes every reply header itself — a procedure only decodes its arguments and
 * encodes its result body.
 */

/** Reads XDR from one record. Every read is bounds-checked and throws XdrError past the end. */
export interface XdrReader {
  readonly remaining: number;
  u32(): number;
  i32(): number;
  u64(): bigint;
  i64(): bigint;
  bool(): boolean;
  /** Variable-length opaque<max>; throws XdrError when the length exceeds `max`. */
  opaque(max: number): Buffer;
  /** Fixed-length opaque[n]. */
  fixedOpaque(n: number): Buffer;
  /** string<max> as UTF-8. */
  string(max: number): string;
  /** An XDR optional (`*T`): a bool then T when true. */
  optional<T>(read: (r: XdrReader) => T): T | undefined;
}

/** Appends XDR to a growable buffer. */
export interface XdrWriter {
  readonly length: number;
  u32(v: number): this;
  i32(v: number): this;
  u64(v: bigint): this;
  bool(v: boolean): this;
  opaque(b: Uint8Array): this;
  fixedOpaque(b: Uint8Array): this;
  string(s: string): this;
}

/** AUTH_SYS credentials (RFC 5531 appendix A). */
export interface AuthSys {
  readonly stamp: number;
  readonly machine: string;
  readonly uid: number;
  readonly gid: number;
  readonly gids: readonly number[];
}

export interface CallContext {
  readonly xid: number;
  readonly prog: number;
  readonly vers: number;
  readonly proc: number;
  /** null for AUTH_NONE. */
  readonly auth: AuthSys | null;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** One procedure of one program version. */
export interface Procedure<A = unknown, R = unknown> {
  readonly name: string;
  /** Throws XdrError on undecodable arguments; the server answers GARBAGE_ARGS. */
  decode(r: XdrReader): A;
  run(args: A, ctx: CallContext): Promise<R> | R;
  encode(w: XdrWriter, res: R): void;
}

/** A program: procedures per version, dense arrays indexed by procedure number. */
export interface RpcProgram {
  readonly prog: number;
  readonly name: string;
  readonly versions: ReadonlyMap<number, readonly Procedure[]>;
}
