import { randomBytes } from 'node:crypto';
import type { Logger } from 'winston';
import type { Procedure, RpcProgram } from '../rpc/types';
import type { ExportTable } from './exports';
import { NFS_PROGRAM, NFS_V3, NFS3_VERFSIZE } from './nfs3-limits';
import { type Nfs3Env, nfs3Procedure } from './nfs3-procedure';
import { access3 } from './procedures/access';
import { commit3 } from './procedures/commit';
import { create3 } from './procedures/create';
import { fsinfo3 } from './procedures/fsinfo';
import { fsstat3 } from './procedures/fsstat';
import { getattr3 } from './procedures/getattr';
import { link3 } from './procedures/link';
import { lookup3 } from './procedures/lookup';
import { mkdir3 } from './procedures/mkdir';
import { mknod3 } from './procedures/mknod';
import { null3 } from './procedures/null';
import { pathconf3 } from './procedures/pathconf';
import { read3 } from './procedures/read';
import { readdir3 } from './procedures/readdir';
import { readdirplus3 } from './procedures/readdirplus';
import { readlink3 } from './procedures/readlink';
import { remove3 } from './procedures/remove';
import { rename3 } from './procedures/rename';
import { rmdir3 } from './procedures/rmdir';
import { setattr3 } from './procedures/setattr';
import { symlink3 } from './procedures/symlink';
import { write3 } from './procedures/write';
import { silentLogger } from './silent-logger';

/**
 * NFS version 3 (RFC 1813, program 100003): the dense procedure table, indexed by procedure
 * number. The labelled tuple type makes the compiler check there are exactly 22, in RFC order.
 */
export type Nfs3ProcedureTable = readonly [
  NULL: Procedure,
  GETATTR: Procedure,
  SETATTR: Procedure,
  LOOKUP: Procedure,
  ACCESS: Procedure,
  READLINK: Procedure,
  READ: Procedure,
  WRITE: Procedure,
  CREATE: Procedure,
  MKDIR: Procedure,
  SYMLINK: Procedure,
  MKNOD: Procedure,
  REMOVE: Procedure,
  RMDIR: Procedure,
  RENAME: Procedure,
  LINK: Procedure,
  READDIR: Procedure,
  READDIRPLUS: Procedure,
  FSSTAT: Procedure,
  FSINFO: Procedure,
  PATHCONF: Procedure,
  COMMIT: Procedure,
];

export interface Nfs3ProgramOptions {
  /** Every export, each with its own Backend (possibly a cache or the upcall plugin in front). */
  readonly exports: ExportTable;
  /** Child logger for NFS; silent when absent. */
  readonly logger?: Logger;
  /**
   * The 8-byte WRITE/COMMIT verifier (RFC 1813 §3.3.7). Default: fresh per program instance,
   * i.e. per server boot — which is what tells clients to resend unstable writes after a restart.
   */
  readonly writeVerifier?: Buffer;
}

export interface Nfs3Program extends RpcProgram {
  readonly procedures: Nfs3ProcedureTable;
  readonly writeVerifier: Buffer;
}

/** A verifier unique to this boot: the clock in its high half, randomness in its low half. */
function bootVerifier(): Buffer {
  const v = Buffer.alloc(NFS3_VERFSIZE);
  v.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
  randomBytes(4).copy(v, 4);
  return v;
}

export function createNfs3Program(opts: Nfs3ProgramOptions): Nfs3Program {
  const writeVerifier = opts.writeVerifier ?? bootVerifier();
  if (writeVerifier.length !== NFS3_VERFSIZE) throw new Error('writeVerifier must be 8 bytes');
  const env: Nfs3Env = { exports: opts.exports, writeVerifier, logger: opts.logger ?? silentLogger() };
  const procedures: Nfs3ProcedureTable = [
    null3,
    nfs3Procedure(getattr3, env),
    nfs3Procedure(setattr3, env),
    nfs3Procedure(lookup3, env),
    nfs3Procedure(access3, env),
    nfs3Procedure(readlink3, env),
    nfs3Procedure(read3, env),
    nfs3Procedure(write3, env),
    nfs3Procedure(create3, env),
    nfs3Procedure(mkdir3, env),
    nfs3Procedure(symlink3, env),
    nfs3Procedure(mknod3, env),
    nfs3Procedure(remove3, env),
    nfs3Procedure(rmdir3, env),
    nfs3Procedure(rename3, env),
    nfs3Procedure(link3, env),
    nfs3Procedure(readdir3, env),
    nfs3Procedure(readdirplus3, env),
    nfs3Procedure(fsstat3, env),
    nfs3Procedure(fsinfo3, env),
    nfs3Procedure(pathconf3, env),
    nfs3Procedure(commit3, env),
  ];
  return {
    prog: NFS_PROGRAM,
    name: 'nfs',
    versions: new Map([[NFS_V3, procedures]]),
    procedures,
    writeVerifier,
  };
}
