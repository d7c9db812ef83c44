/**
 * The smbtorture suites the gate runs, each with its time limit in seconds: about twice what
 * Samba needs on this machine (../shared/SMB.md section 1) and never less than 60 s, so a slow
 * CI machine passes and a hang costs a bounded time. lease, oplock and notify mostly wait on
 * break and notify timeouts, which is why the gate runs several suites at once. credits
 * (8,191 one-byte writes in a row) and compound_find (5,000 creates) are long chains of small
 * round trips: beside three other suites on 2 busy cores they ran past 60 and 90 s.
 */
export const GATE_SUITES: readonly { readonly suite: string; readonly limitSeconds: number }[] = [
  { suite: 'connect', limitSeconds: 60 },
  { suite: 'read', limitSeconds: 60 },
  { suite: 'rw', limitSeconds: 60 },
  { suite: 'getinfo', limitSeconds: 60 },
  { suite: 'setinfo', limitSeconds: 60 },
  { suite: 'dir', limitSeconds: 90 },
  { suite: 'create', limitSeconds: 90 },
  { suite: 'rename', limitSeconds: 60 },
  { suite: 'delete-on-close-perms', limitSeconds: 60 },
  { suite: 'session', limitSeconds: 90 },
  { suite: 'compound', limitSeconds: 60 },
  { suite: 'compound_find', limitSeconds: 180 },
  { suite: 'compound_async', limitSeconds: 60 },
  { suite: 'credits', limitSeconds: 150 },
  { suite: 'lock', limitSeconds: 60 },
  { suite: 'durable-open', limitSeconds: 60 },
  { suite: 'ioctl', limitSeconds: 60 },
  { suite: 'notify', limitSeconds: 240 },
  { suite: 'lease', limitSeconds: 360 },
  { suite: 'oplock', limitSeconds: 240 },
];
