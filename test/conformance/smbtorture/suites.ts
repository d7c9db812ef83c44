/**
 * The smbtorture suites the gate runs, each with its time limit in seconds: several times what
 * Samba (and we) need on an idle machine (../shared/SMB.md section 1) and never less than 120 s:
 * a CI run once took 90 s for smb2.dir (18 s idle) beside three other suites and jest's other
 * worker, and a suite cut off by its limit fails its remaining subtests. A hang still costs a
 * bounded time. lease, oplock and notify mostly wait on break and notify timeouts, which is
 * why the gate runs several suites at once. credits (8,191 one-byte writes in a row) and
 * compound_find (5,000 creates) are long chains of small round trips.
 */
export const GATE_SUITES: readonly { readonly suite: string; readonly limitSeconds: number }[] = [
  { suite: 'connect', limitSeconds: 120 },
  { suite: 'read', limitSeconds: 120 },
  { suite: 'rw', limitSeconds: 120 },
  { suite: 'getinfo', limitSeconds: 120 },
  { suite: 'setinfo', limitSeconds: 120 },
  { suite: 'dir', limitSeconds: 300 },
  { suite: 'create', limitSeconds: 240 },
  { suite: 'rename', limitSeconds: 120 },
  { suite: 'delete-on-close-perms', limitSeconds: 120 },
  { suite: 'session', limitSeconds: 240 },
  { suite: 'compound', limitSeconds: 120 },
  { suite: 'compound_find', limitSeconds: 360 },
  { suite: 'compound_async', limitSeconds: 120 },
  { suite: 'credits', limitSeconds: 300 },
  { suite: 'lock', limitSeconds: 120 },
  { suite: 'durable-open', limitSeconds: 120 },
  { suite: 'ioctl', limitSeconds: 120 },
  { suite: 'notify', limitSeconds: 360 },
  { suite: 'lease', limitSeconds: 480 },
  { suite: 'oplock', limitSeconds: 360 },
];
