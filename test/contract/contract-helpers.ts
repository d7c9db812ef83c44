import type { Subscription } from 'rxjs';
import {
  UpcallFlags as F,
  type InodeInvalidation,
  type Invalidation,
  type UpcallCore,
} from '../../upcall-core';

/** What a store's builder hands the kit: a core (options as built; the kit switches it on) and how to close it. */
export interface CoreUnderTest {
  readonly core: UpcallCore;
  close(): Promise<void> | void;
}

export type BuildCore = () => Promise<CoreUnderTest>;

/** Every invalidation one client receives, in order, minus the kit's own barrier events. */
export class Recorder {
  readonly got: Invalidation[] = [];
  private readonly sub: Subscription;

  constructor(
    core: UpcallCore,
    readonly client: string,
  ) {
    this.sub = core.events(client).subscribe((e) => this.got.push(e));
  }

  /** What the test caused: barrier events left out. */
  get events(): Invalidation[] {
    return this.got.filter((e) => !(e.kind === 'inode' && String(e.inode).startsWith(BARRIER)));
  }

  get inodeEvents(): InodeInvalidation[] {
    return this.events.filter((e): e is InodeInvalidation => e.kind === 'inode');
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BARRIER = '__barrier';
let barriers = 0;

/**
 * Waits until everything caused so far has reached `recorders`, without sleeping on a guess:
 * each one registers on a fresh inode, another client changes it, and the resulting event is
 * awaited. A store delivers one client's events in order, so an event the test caused earlier
 * would have arrived before the barrier's — "nothing arrived" becomes a checkable statement.
 */
export async function barrier(core: UpcallCore, ...recorders: Recorder[]): Promise<void> {
  const inode = `${BARRIER}-${++barriers}`;
  // Let queued deliveries drain first: a pending flush-all swallows events queued behind it.
  await new Promise((r) => setImmediate(r));
  for (const r of recorders) core.access(r.client, inode);
  await core.change(`${BARRIER}-origin`, { inode, flags: F.SIZE });
  await until(
    () => recorders.every((r) => r.got.some((e) => e.kind === 'inode' && e.inode === inode)),
    `barrier ${inode}`,
  );
}

/** A name unique in this run, so tests sharing a store never see each other's clients or inodes. */
let names = 0;
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${++names}`;
}
