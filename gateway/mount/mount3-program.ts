import type { Logger } from 'winston';
import type { ExportTable } from '../nfs/exports';
import { silentLogger } from '../nfs/silent-logger';
import type { Procedure, RpcProgram } from '../rpc/types';
import { MountList } from './mount-list';
import type { Mount3Env } from './mount3-env';
import { MOUNT_PROGRAM, MOUNT_V3 } from './mount3-status';
import { dump3 } from './procedures/dump';
import { export3 } from './procedures/export';
import { mnt3 } from './procedures/mnt';
import { mountNull3 } from './procedures/null';
import { umnt3 } from './procedures/umnt';
import { umntall3 } from './procedures/umntall';

/**
 * MOUNT version 3 (RFC 1813 §5, program 100005): hands out root handles the NFS program
 * accepts (both read the same ExportTable) and keeps the advisory mount list.
 */
export type Mount3ProcedureTable = readonly [
  NULL: Procedure,
  MNT: Procedure,
  DUMP: Procedure,
  UMNT: Procedure,
  UMNTALL: Procedure,
  EXPORT: Procedure,
];

export interface Mount3ProgramOptions {
  readonly exports: ExportTable;
  readonly logger?: Logger;
  /** Default: a fresh in-memory list. */
  readonly mounts?: MountList;
}

export interface Mount3Program extends RpcProgram {
  readonly procedures: Mount3ProcedureTable;
  readonly mounts: MountList;
}

export function createMount3Program(opts: Mount3ProgramOptions): Mount3Program {
  const env: Mount3Env = {
    exports: opts.exports,
    mounts: opts.mounts ?? new MountList(),
    logger: opts.logger ?? silentLogger(),
  };
  const procedures: Mount3ProcedureTable = [
    mountNull3,
    mnt3(env),
    dump3(env),
    umnt3(env),
    umntall3(env),
    export3(env),
  ];
  return {
    prog: MOUNT_PROGRAM,
    name: 'mount',
    versions: new Map([[MOUNT_V3, procedures]]),
    procedures,
    mounts: env.mounts,
  };
}
