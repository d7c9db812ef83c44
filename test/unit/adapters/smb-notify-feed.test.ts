/**
 * notifyFromChange: each kind of upcall change → the CHANGE_NOTIFY records and the directory
 * they belong to; and tapChanges: the SMB side's own changes are translated the same way.
 */

import { type NotifySink, notifyFromChange, tapChanges } from '../../../adapters/smb/notify-feed';
import type { Ino } from '../../../gateway/backend/attrs';
import { FileType } from '../../../gateway/backend/attrs';
import { NotifyAction as A, NotifyFilter as NF } from '../../../gateway/smb/notify-records';
import { UpcallFlags as F, type UpcallCore } from '../../../upcall-core';

function sink(names: Record<string, { parent: Ino; name: string }[]> = {}) {
  const got: { dir: bigint; action: number; name: string; filter: number }[] = [];
  const s: NotifySink = {
    report: (dir, recs) => {
      for (const r of recs) got.push({ dir, ...r });
    },
    namesOf: (ino) => names[String(ino)] ?? [],
  };
  return { s, got };
}

const NAMES = NF.FILE_NAME | NF.DIR_NAME;
const dirStat = { type: FileType.DIR } as never;
const fileStat = { type: FileType.REG } as never;

describe('notifyFromChange', () => {
  test('create (event on the directory, with a name) → ADDED there', () => {
    const { s, got } = sink();
    notifyFromChange({ inode: 10, flags: F.TIMES, name: 'new' }, s);
    expect(got).toEqual([{ dir: 10n, action: A.ADDED, name: 'new', filter: NAMES }]);
  });

  test('an entry gone whose inode the watcher never knew (directory event, name, NLINK) → REMOVED there', () => {
    const { s, got } = sink();
    notifyFromChange({ inode: 10, flags: F.TIMES | F.NLINK, name: 'old' }, s);
    expect(got).toEqual([{ dir: 10n, action: A.REMOVED, name: 'old', filter: NAMES }]);
  });

  test('unlink / rmdir → REMOVED in the parent, filter by type', () => {
    const { s, got } = sink();
    notifyFromChange(
      { inode: 5, flags: F.NLINK | F.TIMES | F.PARENT_TIMES, parent: 10, name: 'f', stat: fileStat },
      s,
    );
    notifyFromChange(
      { inode: 6, flags: F.NLINK | F.TIMES | F.PARENT_TIMES, parent: 10, name: 'd', stat: dirStat },
      s,
    );
    expect(got).toEqual([
      { dir: 10n, action: A.REMOVED, name: 'f', filter: NF.FILE_NAME },
      { dir: 10n, action: A.REMOVED, name: 'd', filter: NF.DIR_NAME },
    ]);
  });

  test('rename in one directory → OLD + NEW; across directories → REMOVED + ADDED; a file also MODIFIED', () => {
    const { s, got } = sink();
    notifyFromChange(
      { inode: 5, flags: F.RENAME, parent: 10, name: 'b', oldParent: 10, oldName: 'a', stat: fileStat },
      s,
    );
    notifyFromChange(
      { inode: 5, flags: F.RENAME, parent: 11, name: 'c', oldParent: 10, oldName: 'b', stat: fileStat },
      s,
    );
    expect(got.map((g) => [g.dir, g.action, g.name])).toEqual([
      [10n, A.RENAMED_OLD_NAME, 'a'],
      [10n, A.RENAMED_NEW_NAME, 'b'],
      [10n, A.MODIFIED, 'b'],
      [10n, A.REMOVED, 'b'],
      [11n, A.ADDED, 'c'],
      [11n, A.MODIFIED, 'c'],
    ]);
    // The MODIFIED of a renamed file is for the attribute and creation filters only.
    expect(got.filter((g) => g.action === A.MODIFIED).map((g) => g.filter)).toEqual([
      NF.ATTRIBUTES | NF.CREATION,
      NF.ATTRIBUTES | NF.CREATION,
    ]);
  });

  test('a write to an object open through SMB → MODIFIED (size, last write) where it is open', () => {
    const { s, got } = sink({ '5': [{ parent: 10n, name: 'f' }] });
    notifyFromChange({ inode: 5, flags: F.SIZE | F.TIMES }, s);
    notifyFromChange({ inode: 6, flags: F.SIZE | F.TIMES }, s); // open nowhere: not named, not reported
    expect(got).toEqual([{ dir: 10n, action: A.MODIFIED, name: 'f', filter: NF.SIZE | NF.LAST_WRITE }]);
  });

  test('tapChanges: the change goes to the core and to the sink, once', () => {
    const { s, got } = sink();
    const change = jest.fn();
    const core = { change, access: jest.fn() } as unknown as UpcallCore<never>;
    const tapped = tapChanges(core as never, s);
    tapped.change('head-1/smb', { inode: 10, flags: F.TIMES, name: 'x' });
    tapped.access('head-1/smb', 10);
    expect(change).toHaveBeenCalledTimes(1);
    expect(got).toEqual([{ dir: 10n, action: A.ADDED, name: 'x', filter: NAMES }]);
  });
});
