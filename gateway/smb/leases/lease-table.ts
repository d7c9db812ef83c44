/**
 * Leases (MS-SMB2 §3.3.1.4, §3.3.1.5 GlobalLeaseTableList): keyed by ClientGuid + LeaseKey, so
 * every open a client makes under one key shares one caching state. A key names one file: a
 * second file under the same key is refused (§3.3.5.9.8, smb2.lease.request). A lease lives as
 * long as one of its opens does.
 */
import type { Ino } from '../../backend/attrs';
import type { LeaseHolder } from './holder';

export function leaseId(clientGuid: Buffer, key: Buffer): string {
  return `${clientGuid.toString('hex')}/${key.toString('hex')}`;
}

export class LeaseTable {
  private readonly byId = new Map<string, LeaseHolder>();
  private readonly byIno = new Map<Ino, Set<LeaseHolder>>();

  get(id: string): LeaseHolder | undefined {
    return this.byId.get(id);
  }

  add(l: LeaseHolder): void {
    this.byId.set(l.id, l);
    const set = this.byIno.get(l.ino) ?? new Set<LeaseHolder>();
    this.byIno.set(l.ino, set);
    set.add(l);
  }

  remove(l: LeaseHolder): void {
    if (this.byId.get(l.id) !== l) return;
    this.byId.delete(l.id);
    const set = this.byIno.get(l.ino);
    set?.delete(l);
    if (set?.size === 0) this.byIno.delete(l.ino);
  }

  of(ino: Ino): Iterable<LeaseHolder> {
    return this.byIno.get(ino) ?? [];
  }

  inos(): Ino[] {
    return [...this.byIno.keys()];
  }

  all(): Iterable<LeaseHolder> {
    return this.byId.values();
  }
}
