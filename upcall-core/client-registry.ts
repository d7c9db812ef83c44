import { InvalidArgumentError } from './errors';
import { compileGlob } from './fnmatch';
import type { ClientId } from './types';

/**
 * Interns client ids as small integers (the client table stores numbers, not strings), and keeps
 * per-client state: xattr interest (rule 7) and a reference count so an
 * index is recycled once nothing refers to it — SMB lease owners come and go, ids must not leak.
 */
export class ClientRegistry {
  private readonly indexOf = new Map<ClientId, number>();
  private readonly ids: (ClientId | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly xattrPatterns: (RegExp[] | undefined)[] = [];
  private readonly free: number[] = [];

  get size(): number {
    return this.indexOf.size;
  }

  /** The index of `id`, creating it. */
  intern(id: ClientId): number {
    const found = this.indexOf.get(id);
    if (found !== undefined) return found;
    const i = this.free.pop() ?? this.ids.length;
    this.indexOf.set(id, i);
    this.ids[i] = id;
    this.refs[i] = 0;
    this.xattrPatterns[i] = undefined;
    return i;
  }

  lookup(id: ClientId): number | undefined {
    return this.indexOf.get(id);
  }

  idOf(i: number): ClientId {
    return this.ids[i]!;
  }

  /** Something (a table entry, a subscription, an xattr registration) holds or lets go of `i`. */
  ref(i: number, delta: number): void {
    this.refs[i] += delta;
    if (this.refs[i] <= 0) this.recycle(i);
  }

  /** Rule 7 for client `id`: validates the globs and replaces its earlier ones. */
  registerXattrs(id: ClientId, patterns: readonly string[]): void {
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p.length === 0)) {
      throw new InvalidArgumentError('xattr patterns must be non-empty strings');
    }
    this.setXattrs(this.intern(id), patterns);
  }

  unregisterXattrs(id: ClientId): void {
    const i = this.lookup(id);
    if (i !== undefined) this.clearXattrs(i);
  }

  setXattrs(i: number, patterns: readonly string[]): void {
    const had = this.xattrPatterns[i] !== undefined;
    this.xattrPatterns[i] = patterns.map(compileGlob);
    if (!had) this.ref(i, 1);
  }

  clearXattrs(i: number): void {
    if (this.xattrPatterns[i] === undefined) return;
    this.xattrPatterns[i] = undefined;
    this.ref(i, -1);
  }

  /** Rule 7: the names among `names` that client `i` registered an interest in. */
  matchXattrs(i: number, names: readonly string[]): string[] {
    const patterns = this.xattrPatterns[i];
    if (patterns === undefined) return [];
    return names.filter((n) => patterns.some((p) => p.test(n)));
  }

  private recycle(i: number): void {
    const id = this.ids[i];
    if (id === undefined) return;
    this.indexOf.delete(id);
    this.ids[i] = undefined;
    this.xattrPatterns[i] = undefined;
    this.free.push(i);
  }
}
