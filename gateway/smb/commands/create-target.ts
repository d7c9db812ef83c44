/**
 * CREATE's file-system half (MS-SMB2 §3.3.5.9 with MS-FSA §2.1.5.1): given the resolved path,
 * the disposition and options, find or make the object and report what was done. Access and
 * share-mode checks happen in create.ts after this returns the object, except that truncation
 * (OVERWRITE*, SUPERSEDE) is deferred to `truncate` so it runs only once the open is allowed.
 */
import { type Attrs, FileType } from '../../backend/attrs';
import type { Backend, Cred } from '../../backend/backend';
import { BackendError } from '../../backend/errors';
import { noteCreated } from '../case-lookup';
import { FileAttr } from '../file-attrs';
import { NtStatus, SmbError } from '../ntstatus';
import type { Resolved } from '../paths';
import { resolvePath } from '../paths';

/** MS-SMB2 §2.2.13 CreateDisposition. */
export const Disposition = {
  SUPERSEDE: 0,
  OPEN: 1,
  CREATE: 2,
  OPEN_IF: 3,
  OVERWRITE: 4,
  OVERWRITE_IF: 5,
} as const;
/** MS-SMB2 §2.2.14 CreateAction. */
export const CreateAction = { SUPERSEDED: 0, OPENED: 1, CREATED: 2, OVERWRITTEN: 3 } as const;
/** MS-SMB2 §2.2.13 CreateOptions used here. */
export const CreateOption = {
  DIRECTORY_FILE: 0x00000001,
  WRITE_THROUGH: 0x00000002,
  NON_DIRECTORY_FILE: 0x00000040,
  DELETE_ON_CLOSE: 0x00001000,
  OPEN_BY_FILE_ID: 0x00002000,
} as const;

export interface Target {
  readonly attrs: Attrs;
  readonly parent?: Attrs;
  readonly action: number;
  /** The name on disk (it differs from the one asked for when found ignoring case). */
  readonly name: string;
  /** OVERWRITE / OVERWRITE_IF / SUPERSEDE of an existing file: truncate once the open is allowed. */
  readonly truncate: boolean;
}

export interface TargetRequest {
  readonly backend: Backend;
  readonly root: bigint;
  readonly parts: readonly string[];
  readonly disposition: number;
  readonly options: number;
  readonly fileAttributes: number;
  readonly cred: Cred;
}

export async function findOrCreate(req: TargetRequest): Promise<Target> {
  const r = await resolvePath(req.backend, req.root, req.parts, req.cred);
  if (r.target) return existing(req, r, r.target);
  const { disposition: d } = req;
  if (d === Disposition.OPEN || d === Disposition.OVERWRITE)
    throw new SmbError(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, `no '${req.parts.join('\\')}'`);
  try {
    return { ...(await make(req, r)), parent: r.parent! };
  } catch (err) {
    // Someone made it between our lookup and our create: for all but CREATE, open what is there.
    if (!(err instanceof BackendError && err.code === 'EEXIST') || d === Disposition.CREATE) throw err;
    const again = await resolvePath(req.backend, req.root, req.parts, req.cred);
    if (!again.target) throw err;
    return existing(req, again, again.target);
  }
}

function existing(req: TargetRequest, r: Resolved, attrs: Attrs): Target {
  const { disposition: d, options } = req;
  const isDir = attrs.type === FileType.DIR;
  if (d === Disposition.CREATE) throw new SmbError(NtStatus.STATUS_OBJECT_NAME_COLLISION, r.name);
  if (attrs.type !== FileType.DIR && attrs.type !== FileType.REG)
    throw new SmbError(
      NtStatus.STATUS_ACCESS_DENIED,
      `${r.name}: not a file or directory (symlinks are not followed)`,
    );
  if (options & CreateOption.DIRECTORY_FILE && !isDir)
    throw new SmbError(NtStatus.STATUS_NOT_A_DIRECTORY, r.name);
  if (options & CreateOption.NON_DIRECTORY_FILE && isDir)
    throw new SmbError(NtStatus.STATUS_FILE_IS_A_DIRECTORY, r.name);
  const overwrite =
    d === Disposition.OVERWRITE || d === Disposition.OVERWRITE_IF || d === Disposition.SUPERSEDE;
  if (overwrite && isDir)
    throw new SmbError(NtStatus.STATUS_FILE_IS_A_DIRECTORY, `cannot overwrite ${r.name}`);
  const action = !overwrite
    ? CreateAction.OPENED
    : d === Disposition.SUPERSEDE
      ? CreateAction.SUPERSEDED
      : CreateAction.OVERWRITTEN;
  return { attrs, ...(r.parent ? { parent: r.parent } : {}), action, name: r.name, truncate: overwrite };
}

async function make(
  req: TargetRequest,
  r: Resolved,
): Promise<{ attrs: Attrs; action: number; name: string; truncate: false }> {
  const dir = r.parent!.fileid;
  const readOnly = (req.fileAttributes & FileAttr.READONLY) !== 0;
  const made =
    req.options & CreateOption.DIRECTORY_FILE
      ? await req.backend.mkdir(dir, r.name, 0o755, req.cred)
      : await req.backend.create(dir, r.name, { mode: readOnly ? 0o444 : 0o644, guarded: true }, req.cred);
  noteCreated(req.backend, dir, r.name, made.dir);
  return { attrs: made.attrs, action: CreateAction.CREATED, name: r.name, truncate: false };
}
