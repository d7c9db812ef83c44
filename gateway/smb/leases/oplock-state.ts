/**
 * Oplocks (MS-SMB2 §3.3.1.10 Open.OplockLevel / OplockState): one per open that was granted
 * LEVEL_II, EXCLUSIVE or BATCH, found by open (acknowledgments name a FileId) and by inode
 * (breaks). An open granted nothing has no entry.
 */
import type { Ino } from '../../backend/attrs';
import type { Open } from '../open-table';
import type { OplockHolder } from './holder';

export class OplockTable {
  private readonly byOpen = new Map<Open, OplockHolder>();
  private readonly byIno = new Map<Ino, Set<OplockHolder>>();

  get(open: Open): OplockHolder | undefined {
    return this.byOpen.get(open);
  }

  add(h: OplockHolder): void {
    this.byOpen.set(h.open, h);
    const set = this.byIno.get(h.ino) ?? new Set<OplockHolder>();
    this.byIno.set(h.ino, set);
    set.add(h);
  }

  remove(h: OplockHolder): void {
    if (this.byOpen.get(h.open) !== h) return;
    this.byOpen.delete(h.open);
    const set = this.byIno.get(h.ino);
    set?.delete(h);
    if (set?.size === 0) this.byIno.delete(h.ino);
  }

  of(ino: Ino): Iterable<OplockHolder> {
    return this.byIno.get(ino) ?? [];
  }

  inos(): Ino[] {
    return [...this.byIno.keys()];
  }

  all(): Iterable<OplockHolder> {
    return this.byOpen.values();
  }
}
