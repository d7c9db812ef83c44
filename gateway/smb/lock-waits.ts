/**
 * Blocking byte-range lock requests (MS-SMB2 §3.3.5.14: a lock without FAIL_IMMEDIATELY waits
 * for the range). The request goes async (interim STATUS_PENDING under an AsyncId) and is
 * parked here; whenever locks on its file are released it is tried again, in arrival order,
 * and answered STATUS_SUCCESS once granted. CANCEL → STATUS_CANCELLED; its own Open closing →
 * STATUS_RANGE_NOT_LOCKED (what Windows answers).
 */
import type { Ino } from '../backend/attrs';
import { type AsyncRequest, type AsyncSink, sendAsyncResponse } from './async-response';
import type { ByteRangeLock, LockTable } from './lock-table';
import { NtStatus } from './ntstatus';
import type { Open } from './open-table';

export interface LockWait extends AsyncRequest, ByteRangeLock {}

/** MS-SMB2 §2.2.27 LOCK response: StructureSize 4, Reserved. */
function lockBody(): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(4, 0);
  return b;
}

export class LockWaits {
  private waits: LockWait[] = [];

  constructor(private readonly locks: LockTable) {}

  park(w: LockWait): void {
    this.waits.push(w);
  }

  /** Locks on `ino` went away: grant the waits that now fit, oldest first. */
  retry(ino: Ino): void {
    for (const w of [...this.waits]) {
      if (w.open.ino !== ino || !this.locks.tryLock(w)) continue;
      this.waits = this.waits.filter((x) => x !== w);
      sendAsyncResponse(w, NtStatus.STATUS_SUCCESS, lockBody());
    }
  }

  cancel(sink: AsyncSink, id: { asyncId?: bigint; messageId?: bigint }): boolean {
    const w = this.waits.find(
      (x) =>
        x.sink === sink &&
        (id.asyncId !== undefined ? x.asyncId === id.asyncId : x.messageId === id.messageId),
    );
    if (!w) return false;
    this.waits = this.waits.filter((x) => x !== w);
    sendAsyncResponse(w, NtStatus.STATUS_CANCELLED, errorBody());
    return true;
  }

  /** `open` is closing: its waits end with STATUS_RANGE_NOT_LOCKED. */
  releaseOpen(open: Open): void {
    for (const w of this.waits.filter((x) => x.open === open)) {
      this.waits = this.waits.filter((x) => x !== w);
      sendAsyncResponse(w, NtStatus.STATUS_RANGE_NOT_LOCKED, errorBody());
    }
  }
}

/** MS-SMB2 §2.2.2 ERROR response body: StructureSize 9, nothing else. */
function errorBody(): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(9, 0);
  return b;
}
