/**
 * Change-notify records and their wire form (MS-SMB2 §2.2.35 CompletionFilter, §2.2.36 the
 * response; MS-FSCC §2.7.1 FILE_NOTIFY_INFORMATION).
 *
 * One record per changed name: an Action, the name relative to the watched directory, and the
 * CompletionFilter bits the change falls under — a watch only hears what its filter asks for.
 */

/** MS-FSCC §2.7.1 Action. */
export const NotifyAction = {
  ADDED: 1,
  REMOVED: 2,
  MODIFIED: 3,
  RENAMED_OLD_NAME: 4,
  RENAMED_NEW_NAME: 5,
} as const;

/** MS-SMB2 §2.2.35 CompletionFilter bits. */
export const NotifyFilter = {
  FILE_NAME: 0x001,
  DIR_NAME: 0x002,
  ATTRIBUTES: 0x004,
  SIZE: 0x008,
  LAST_WRITE: 0x010,
  LAST_ACCESS: 0x020,
  CREATION: 0x040,
  EA: 0x080,
  SECURITY: 0x100,
  STREAM_NAME: 0x200,
  STREAM_SIZE: 0x400,
  STREAM_WRITE: 0x800,
} as const;

/** Name changes of an object whose kind is unknown concern both the file and the dir filter. */
export const NAME_FILTERS = NotifyFilter.FILE_NAME | NotifyFilter.DIR_NAME;

export interface NotifyRecord {
  readonly action: number;
  /** Relative to the directory the change happened in ('\'-joined below a WATCH_TREE root). */
  readonly name: string;
  /** The CompletionFilter bits this change is reported under. */
  readonly filter: number;
}

/**
 * FILE_NOTIFY_INFORMATION entries back to back: each 4-byte aligned, NextEntryOffset 0 on the
 * last, names in UTF-16LE without a terminator. Undefined when they do not fit in `max` bytes
 * (the caller answers STATUS_NOTIFY_ENUM_DIR, §3.3.5.19).
 */
export function encodeNotifyRecords(recs: readonly NotifyRecord[], max: number): Buffer | undefined {
  const names = recs.map((r) => Buffer.from(r.name, 'utf16le'));
  const sizes = names.map((n) => 12 + n.length);
  let total = 0;
  sizes.forEach((s, i) => {
    total += i + 1 < sizes.length ? (s + 3) & ~3 : s;
  });
  if (total > max) return undefined;
  const out = Buffer.alloc(total);
  let at = 0;
  recs.forEach((r, i) => {
    const last = i + 1 === recs.length;
    const step = last ? 0 : (sizes[i]! + 3) & ~3;
    out.writeUInt32LE(step, at);
    out.writeUInt32LE(r.action, at + 4);
    out.writeUInt32LE(names[i]!.length, at + 8);
    names[i]!.copy(out, at + 12);
    at += step;
  });
  return out;
}

/** MS-SMB2 §2.2.36 CHANGE_NOTIFY response: StructureSize 9, OutputBufferOffset/Length, Buffer. */
export function notifyResponseBody(data?: Buffer): Buffer {
  const d = data ?? Buffer.alloc(0);
  const b = Buffer.alloc(8 + Math.max(1, d.length));
  b.writeUInt16LE(9, 0);
  if (d.length > 0) {
    b.writeUInt16LE(64 + 8, 2);
    b.writeUInt32LE(d.length, 4);
    d.copy(b, 8);
  }
  return b;
}
