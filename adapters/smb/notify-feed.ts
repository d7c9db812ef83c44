import type { Attrs, Ino } from '../../gateway/backend/attrs';
import { FileType } from '../../gateway/backend/attrs';
import { inodeKeyOf, inoOfKey } from '../../gateway/backend/inode-key';
import {
  NAME_FILTERS,
  NotifyAction,
  NotifyFilter,
  type NotifyRecord,
} from '../../gateway/smb/notify-records';
import {
  type ChangeEvent,
  type ClientId,
  UpcallFlags as F,
  type Invalidation,
  type UpcallCore,
} from '../../upcall-core';

/** Where notify records go: the SMB server's NotifyTable. */
export interface NotifySink {
  /** Names changed in directory `dir`. */
  report(dir: Ino, records: readonly NotifyRecord[]): void;
  /** The (parent, name) pairs an inode is known by (its SMB opens), for MODIFIED records. */
  namesOf(ino: Ino): Iterable<{ readonly parent: Ino; readonly name: string }>;
}

const ATTRIBUTE_FLAGS = F.MODE | F.OWN | F.PERM;

/** The CompletionFilter bits of a name change: FILE_NAME or DIR_NAME when the type is known. */
function nameFilter(stat: unknown): number {
  const a = stat as Partial<Attrs> | undefined;
  if (a?.type === undefined) return NAME_FILTERS;
  return a.type === FileType.DIR ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME;
}

/** The CompletionFilter bits an attribute change of the object itself falls under. */
function modifiedFilter(flags: number): number {
  let f = 0;
  if (flags & F.SIZE) f |= NotifyFilter.SIZE | NotifyFilter.LAST_WRITE;
  if (flags & F.TIMES) f |= NotifyFilter.LAST_WRITE;
  if (flags & ATTRIBUTE_FLAGS) f |= NotifyFilter.ATTRIBUTES | NotifyFilter.SECURITY;
  if (flags & (F.XATTR | F.XATTR_RM)) f |= NotifyFilter.EA;
  return f;
}

/**
 * One upcall change → CHANGE_NOTIFY records, told to `sink` per directory (MS-SMB2 §3.3.5.19;
 * MS-FSCC §2.7.1 actions), whichever way the change came — an upcall from NFS, another head or
 * the backend watcher, or the SMB server's own change (see `tapChanges`):
 * - create/mkdir/symlink/mknod (event on the directory, with `name`) → ADDED; the same with
 *   NLINK (the watcher saw an entry go whose inode it never knew) → REMOVED;
 * - unlink/rmdir (and link: the core gives both the same flags) with `parent`/`name` → REMOVED;
 * - rename within one directory → RENAMED_OLD_NAME + RENAMED_NEW_NAME; across directories →
 *   REMOVED in the old one, ADDED in the new one;
 * - SIZE/TIMES/attribute/xattr changes of an object without a name → MODIFIED in each
 *   directory it is open from through SMB (a change to an object no SMB client has open is not
 *   named by the event, so it is not reported).
 */
export function notifyFromChange(ev: ChangeEvent<unknown>, sink: NotifySink): void {
  const dir = (k: NonNullable<ChangeEvent['parent']>): Ino => inoOfKey(k);
  if (ev.flags & F.RENAME && ev.name !== undefined && ev.oldName !== undefined && ev.parent !== undefined) {
    const f = nameFilter(ev.stat);
    const from = ev.oldParent ?? ev.parent;
    // A renamed file (not a directory) also shows as MODIFIED under its new name for the
    // attribute and creation filters, as Windows Server and Samba report it (smbtorture
    // notify.mask "rename file special handling", notify.mask-change).
    const touched: NotifyRecord[] =
      f === NotifyFilter.FILE_NAME
        ? [
            {
              action: NotifyAction.MODIFIED,
              name: ev.name,
              filter: NotifyFilter.ATTRIBUTES | NotifyFilter.CREATION,
            },
          ]
        : [];
    if (dir(from) === dir(ev.parent)) {
      sink.report(dir(ev.parent), [
        { action: NotifyAction.RENAMED_OLD_NAME, name: ev.oldName, filter: f },
        { action: NotifyAction.RENAMED_NEW_NAME, name: ev.name, filter: f },
        ...touched,
      ]);
    } else {
      sink.report(dir(from), [{ action: NotifyAction.REMOVED, name: ev.oldName, filter: f }]);
      sink.report(dir(ev.parent), [{ action: NotifyAction.ADDED, name: ev.name, filter: f }, ...touched]);
    }
    return;
  }
  if (ev.name !== undefined && ev.parent === undefined) {
    const action = ev.flags & F.NLINK ? NotifyAction.REMOVED : NotifyAction.ADDED;
    sink.report(dir(ev.inode), [{ action, name: ev.name, filter: NAME_FILTERS }]);
    return;
  }
  if (ev.name !== undefined && ev.parent !== undefined && ev.flags & F.NLINK) {
    const f = nameFilter(ev.stat);
    sink.report(dir(ev.parent), [{ action: NotifyAction.REMOVED, name: ev.name, filter: f }]);
    return;
  }
  const f = modifiedFilter(ev.flags);
  if (f === 0 || ev.name !== undefined) return;
  for (const at of sink.namesOf(inoOfKey(ev.inode)))
    sink.report(at.parent, [{ action: NotifyAction.MODIFIED, name: at.name, filter: f }]);
}

/**
 * The SMB server's own changes never come back to it from the core (the originator is not
 * notified), so they are fed to notify here instead: `core` with `change` tapped, to hand to the
 * SMB side's plugin. The upcall path (attachSmbAdapter's onInvalidation) and this one see
 * disjoint sets of changes and translate them the same way, so no change is reported twice.
 */
export function tapChanges(core: UpcallCore<Attrs>, sink: NotifySink): UpcallCore<Attrs> {
  return new Proxy(core, {
    get(target, prop, receiver) {
      if (prop === 'change')
        return (origin: string, ev: ChangeEvent<Attrs>) => {
          const r = target.change(origin, ev);
          notifyFromChange(ev, sink);
          return r;
        };
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** What the feed needs of the SMB server's NotifyTable beyond NotifySink. */
export interface NotifyTableLike extends NotifySink {
  overflowAll(): void;
  watchedDirs(): Ino[];
  /** Set by the feed: directories a new tree watch covers, to register interest in at once. */
  interest?: (dirs: Ino[]) => void;
}

/**
 * The whole notify feed of one SMB frontend: `core` (tapped) for its plugin, `onInvalidation`
 * for attachSmbAdapter, `bind` once the server (and its NotifyTable) exists. A flush-all from
 * the core means changes were lost: every watch answers STATUS_NOTIFY_ENUM_DIR. While a
 * directory is watched, the holder touches it with the core every half timeout, so upcalls
 * for it keep coming however long the client waits.
 */
export class NotifyFeed implements NotifySink {
  readonly core: UpcallCore<Attrs>;
  private table?: NotifyTableLike;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly inner: UpcallCore<Attrs>,
    private readonly client: ClientId,
  ) {
    this.core = tapChanges(inner, this);
    const halfTimeoutMs = (inner.options['features.cache-invalidation-timeout'] * 1000) / 2;
    this.timer = setInterval(() => this.keepAlive(), Math.max(1000, halfTimeoutMs));
    this.timer.unref();
  }

  bind(table: NotifyTableLike): void {
    this.table = table;
    table.interest = (dirs) => {
      for (const dir of dirs) this.inner.access(this.client, inodeKeyOf(dir));
    };
  }

  report(dir: Ino, records: readonly NotifyRecord[]): void {
    this.table?.report(dir, records);
  }

  namesOf(ino: Ino): Iterable<{ readonly parent: Ino; readonly name: string }> {
    return this.table?.namesOf(ino) ?? [];
  }

  readonly onInvalidation = (ev: Invalidation): void => {
    if (ev.kind === 'inode') notifyFromChange(ev, this);
    else this.table?.overflowAll();
  };

  close(): void {
    clearInterval(this.timer);
  }

  private keepAlive(): void {
    for (const dir of this.table?.watchedDirs() ?? []) this.inner.access(this.client, inodeKeyOf(dir));
  }
}
