import type { Logger } from 'winston';
import type { ExportTable } from '../nfs/exports';
import type { MountList } from './mount-list';

/** What every MOUNT procedure sees. */
export interface Mount3Env {
  readonly exports: ExportTable;
  readonly mounts: MountList;
  readonly logger: Logger;
}
