/**
 * What a client may cache, one vocabulary for oplocks and leases (MS-SMB2 §2.2.13 / §2.2.13.2.8):
 * a lease state is a set of R (read), H (handle) and W (write) caching bits; an oplock level is
 * read as the same bits — BATCH = RWH, EXCLUSIVE = RW, LEVEL_II = R — so one set of break rules
 * serves both (MS-FSA §2.1.4.12 describes oplocks and leases in these terms too).
 */

/** MS-SMB2 §2.2.13.2.8 LeaseState bits. */
export const Lease = {
  NONE: 0,
  R: 0x1,
  H: 0x2,
  W: 0x4,
} as const;

export const RWH = Lease.R | Lease.W | Lease.H;

/** MS-SMB2 §2.2.13 RequestedOplockLevel / §2.2.14 OplockLevel. */
export const OplockLevel = {
  NONE: 0x00,
  LEVEL_II: 0x01,
  EXCLUSIVE: 0x08,
  BATCH: 0x09,
  LEASE: 0xff,
} as const;

/** An oplock level as caching bits; an unknown level caches nothing. */
export function stateOfOplock(level: number): number {
  switch (level) {
    case OplockLevel.BATCH:
      return RWH;
    case OplockLevel.EXCLUSIVE:
      return Lease.R | Lease.W;
    case OplockLevel.LEVEL_II:
      return Lease.R;
    default:
      return Lease.NONE;
  }
}

/**
 * Caching bits back to the oplock level that holds them: an oplock cannot be RH, so handle
 * caching without write caching is LEVEL_II, and H or W without R is nothing.
 */
export function oplockOfState(state: number): number {
  if (!(state & Lease.R)) return OplockLevel.NONE;
  if (state & Lease.W) return state & Lease.H ? OplockLevel.BATCH : OplockLevel.EXCLUSIVE;
  return OplockLevel.LEVEL_II;
}

/**
 * The lease states a file lease can be (what Windows grants, smb2.lease.request): R, RH, RW and
 * RWH. H or W without R is not a state: it is granted as nothing.
 */
export function grantableLeaseState(requested: number): number {
  const s = requested & RWH;
  return s & Lease.R ? s : Lease.NONE;
}

/** "RWH"-style text for logs. */
export function stateText(state: number): string {
  const t = `${state & Lease.R ? 'R' : ''}${state & Lease.W ? 'W' : ''}${state & Lease.H ? 'H' : ''}`;
  return t || 'none';
}
