import type { Logger } from 'winston';
import type { Attrs, Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import type { CallContext, Procedure, XdrReader, XdrWriter } from '../rpc/types';
import type { ExportTable, NfsExport } from './exports';
import { isExpectedStat, Nfs3Error, Nfs3Stat, toNfs3Stat } from './nfs3-status';

/**
 * The frame every NFSv3 procedure (but NULL) shares. A procedure file declares:
 * - `decode` of its arguments,
 * - `target`: the handle the call is about — it picks the export, whose address list, squash
 *   rules and read-only flag then apply,
 * - `run` for the success body, throwing on any failure (BackendError or Nfs3Error),
 * - its failure body ONCE: `fail` builds it best-effort, `encodeFail` writes it.
 * The frame writes nfsstat3 first, maps errors with the one `toNfs3Stat`, and logs failures.
 */

/** What the program gives every call. */
export interface Nfs3Env {
  readonly exports: ExportTable;
  /** RFC 1813 §3.3.7: writeverf3, fixed for the life of this server instance. */
  readonly writeVerifier: Buffer;
  readonly logger: Logger;
}

export type Nfs3Result<R, F> =
  | { readonly stat: Nfs3Stat.NFS3_OK; readonly ok: R }
  | { readonly stat: Exclude<Nfs3Stat, Nfs3Stat.NFS3_OK>; readonly fail: F };

export interface Nfs3ProcedureSpec<A, R, F> {
  /** RFC name, e.g. 'GETATTR'. */
  readonly name: string;
  /** Refused with NFS3ERR_ROFS on a read-only export (RFC 1813 §2.6). */
  readonly modifies: boolean;
  decode(r: XdrReader): A;
  target(args: A): Buffer;
  run(args: A, call: Nfs3Call, target: Ino): Promise<R>;
  encodeOk(w: XdrWriter, res: R): void;
  /** The resfail body; must not throw (use `call.attrsOf` / `call.wccOf`, which never do). */
  fail(args: A, call: Nfs3Call): Promise<F> | F;
  encodeFail(w: XdrWriter, body: F): void;
}

/** One call: who is asking, through which export, with handles resolved at most once. */
export class Nfs3Call {
  private exp_: NfsExport | undefined;
  private cred_: Cred | undefined;
  private denied = false;
  private readonly resolved = new Map<Buffer, Ino>();

  constructor(
    readonly env: Nfs3Env,
    readonly ctx: CallContext,
  ) {}

  /** The export of the call's target; set once `resolve` has run. */
  get exp(): NfsExport {
    if (this.exp_ === undefined) throw new Error('Nfs3Call: no export resolved yet');
    return this.exp_;
  }

  get backend(): Backend {
    return this.exp.backend;
  }

  /** The caller as the export sees it: AUTH_SYS with root squash, or anonymous. */
  get cred(): Cred {
    this.cred_ ??= this.exp.credOf(this.ctx.auth);
    return this.cred_;
  }

  /**
   * Handle → inode. The first handle fixes the export (and is checked against its address
   * list: NFS3ERR_ACCES); a second handle in another export is NFS3ERR_XDEV (RFC 1813 §3.3.14,
   * §3.3.15). Unknown handles are BADHANDLE, deleted objects STALE (from the codec).
   */
  async resolve(fh: Buffer): Promise<Ino> {
    const known = this.resolved.get(fh);
    if (known !== undefined) return known;
    const { exp, inner } = this.env.exports.route(fh);
    if (this.exp_ === undefined) {
      if (!exp.allows(this.ctx.remoteAddress)) {
        this.denied = true;
        throw new Nfs3Error(
          Nfs3Stat.NFS3ERR_ACCES,
          `client ${this.ctx.remoteAddress} not in ${exp.config.name}`,
        );
      }
      this.exp_ = exp;
    } else if (exp !== this.exp_) {
      throw new Nfs3Error(Nfs3Stat.NFS3ERR_XDEV, 'handles in two exports');
    }
    const ino = await exp.handles.resolveHandle(inner);
    this.resolved.set(fh, ino);
    return ino;
  }

  /** The nfs_fh3 of an inode of this call's export. */
  handleOf(ino: Ino): Buffer {
    return this.exp.handleOf(ino);
  }

  /** Attributes for a failure body: undefined rather than an error, and never to a refused client. */
  async attrsOf(fh: Buffer): Promise<Attrs | undefined> {
    if (this.denied) return undefined;
    try {
      return await this.backend.getattr(await this.resolve(fh));
    } catch {
      return undefined;
    }
  }

  /** wcc_data for a failure: nothing known from before, the current attributes after. */
  async wccOf(fh: Buffer): Promise<{ after?: Attrs }> {
    const after = await this.attrsOf(fh);
    return after === undefined ? {} : { after };
  }
}

function logFailure(env: Nfs3Env, name: string, ctx: CallContext, stat: Nfs3Stat, err: unknown): void {
  const { logger } = env;
  const expected = isExpectedStat(stat);
  if (expected && !logger.isDebugEnabled()) return;
  const meta = {
    proc: name,
    stat: Nfs3Stat[stat],
    xid: ctx.xid,
    client: ctx.remoteAddress,
    cause: err instanceof Error ? err.message : String(err),
  };
  if (expected) logger.debug(`NFS3 ${name} failed`, meta);
  else logger.warn(`NFS3 ${name} failed`, { ...meta, stack: err instanceof Error ? err.stack : undefined });
}

/** Binds a spec to the program's environment: the Procedure the RPC server dispatches. */
export function nfs3Procedure<A, R, F>(
  spec: Nfs3ProcedureSpec<A, R, F>,
  env: Nfs3Env,
): Procedure<A, Nfs3Result<R, F>> {
  return {
    name: spec.name,
    decode: (r) => spec.decode(r),
    async run(args, ctx): Promise<Nfs3Result<R, F>> {
      const call = new Nfs3Call(env, ctx);
      try {
        const ino = await call.resolve(spec.target(args));
        if (spec.modifies && call.exp.config.readOnly) {
          throw new Nfs3Error(Nfs3Stat.NFS3ERR_ROFS, `${call.exp.config.name} is read-only`);
        }
        return { stat: Nfs3Stat.NFS3_OK, ok: await spec.run(args, call, ino) };
      } catch (err) {
        const stat = toNfs3Stat(err) as Exclude<Nfs3Stat, Nfs3Stat.NFS3_OK>;
        logFailure(env, spec.name, ctx, stat, err);
        return { stat, fail: await spec.fail(args, call) };
      }
    },
    encode(w, res) {
      w.u32(res.stat);
      if (res.stat === Nfs3Stat.NFS3_OK) spec.encodeOk(w, res.ok);
      else spec.encodeFail(w, res.fail);
    },
  };
}
