/**
 * Which files a client has marked sparse (FSCTL_SET_SPARSE, MS-FSCC §2.3.64), shown back as
 * FILE_ATTRIBUTE_SPARSE_FILE (MS-FSCC §2.6). POSIX has no such flag, and every POSIX file may
 * have holes anyway, so the mark changes only what we report (the attribute, and how
 * FSCTL_QUERY_ALLOCATED_RANGES looks for holes). Kept per process, keyed by (fsid, fileid) so
 * every head over the same file system agrees within a process; bounded: past MAX marks the
 * oldest are forgotten (a forgotten mark reads as "not sparse", which is always a valid answer).
 * The birth time is part of the key: a file deleted and made again often gets the same inode
 * number, and must not inherit the mark.
 */
import type { Attrs } from '../backend/attrs';

export const FILE_ATTRIBUTE_SPARSE_FILE = 0x00000200;
const MAX = 65536;
const marks = new Set<string>();

function keyOf(a: Pick<Attrs, 'fsid' | 'fileid' | 'birthtime'>): string {
  return `${a.fsid}:${a.fileid}:${a.birthtime.sec}.${a.birthtime.nsec}`;
}

export function isSparse(a: Pick<Attrs, 'fsid' | 'fileid' | 'birthtime'>): boolean {
  return marks.size > 0 && marks.has(keyOf(a));
}

export function setSparse(a: Pick<Attrs, 'fsid' | 'fileid' | 'birthtime'>, sparse: boolean): void {
  const k = keyOf(a);
  if (!sparse) {
    marks.delete(k);
    return;
  }
  marks.add(k);
  if (marks.size > MAX) marks.delete(marks.values().next().value!);
}
