/**
 * A break that needs an acknowledgment waits for it, but not forever (MS-SMB2 §3.3.2.1 Oplock
 * Break Acknowledgment Timer, §3.3.2.5 Lease Break Acknowledgment Timer: Windows waits 35 s).
 * When the timer fires the holder is treated as having acknowledged the state it was broken to,
 * so an open waiting for the break goes on (smb2.lease.timeout).
 */
import type { Holder } from './holder';

/** Starts waiting for `h` to acknowledge a break to `to`; resolves when it did, closed, or timed out. */
export function beginBreak(
  h: Holder,
  to: number,
  timeoutMs: number,
  onTimeout: (h: Holder) => void,
): Promise<void> {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const timer = setTimeout(() => {
    endBreak(h, to);
    onTimeout(h);
  }, timeoutMs);
  timer.unref();
  h.breaking = { to, done, resolve, timer };
  return done;
}

/** The break of `h` is over (acknowledged to `state`, timed out, or the holder went): wake the waiters. */
export function endBreak(h: Holder, state: number): void {
  const b = h.breaking;
  h.state = state;
  if (!b) return;
  h.breaking = undefined;
  clearTimeout(b.timer);
  b.resolve();
}
