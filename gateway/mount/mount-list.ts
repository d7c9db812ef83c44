/**
 * Who mounted what, for DUMP (RFC 1813 §5.2.2). Advisory only — NFS never consults it — so it
 * lives in memory, keyed by (client address, dirpath), oldest dropped past `max`.
 */
export interface MountEntry {
  readonly host: string;
  readonly dirpath: string;
}

export class MountList {
  private readonly entries = new Map<string, MountEntry>();

  constructor(private readonly max = 4096) {}

  add(host: string, dirpath: string): void {
    const key = keyOf(host, dirpath);
    this.entries.delete(key);
    this.entries.set(key, { host, dirpath });
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  remove(host: string, dirpath: string): boolean {
    return this.entries.delete(keyOf(host, dirpath));
  }

  removeAll(host: string): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.host === host) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  list(): MountEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(host: string, dirpath: string): string {
  return `${host}\0${dirpath}`;
}
