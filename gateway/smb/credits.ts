/**
 * The connection's CommandSequenceWindow (MS-SMB2 §3.3.1.1): the MessageIds a client may use
 * next. Each request consumes CreditCharge consecutive ids (1 when the charge is 0) that must
 * all be in the window and unused (§3.3.5.2.3); each response grants CreditResponse new ids at
 * the top. Ids may be consumed out of order (several requests in flight), so the window is
 * [low, high) plus the set of ids already used inside it; `low` advances past used ids.
 *
 * Bounds: no grant takes the client past `maxCredits` unused ids, so the used set and the
 * window stay bounded however the client behaves.
 */
export class CreditWindow {
  private low = 0n;
  private high = 1n;
  private readonly used = new Set<bigint>();

  constructor(readonly maxCredits: number) {
    if (!(maxCredits >= 1)) throw new RangeError('maxCredits must be >= 1');
  }

  /** Ids the client may still use. */
  get available(): number {
    return Number(this.high - this.low) - this.used.size;
  }

  /** Whether ids first..first+count-1 are all grantable now (nothing is consumed). */
  check(first: bigint, count: number): boolean {
    if (count < 1 || first < this.low || first + BigInt(count) > this.high) return false;
    for (let i = 0n; i < BigInt(count); i++) if (this.used.has(first + i)) return false;
    return true;
  }

  /** Consumes first..first+count-1; false (and nothing consumed) if any is not in the window. */
  consume(first: bigint, count: number): boolean {
    if (!this.check(first, count)) return false;
    for (let i = 0n; i < BigInt(count); i++) this.used.add(first + i);
    while (this.used.delete(this.low)) this.low++;
    return true;
  }

  /**
   * Grants up to `requested` new ids (at least 1 while the client has none left, so it can
   * never be stranded), capped so the client holds at most `maxCredits`. Returns the grant.
   */
  grant(requested: number): number {
    const room = Math.max(0, this.maxCredits - this.available);
    let n = Math.min(Math.max(0, requested), room);
    if (n === 0 && this.available === 0) n = 1;
    this.high += BigInt(n);
    return n;
  }
}

/**
 * MS-SMB2 §3.3.5.2.5: the CreditCharge a multi-credit request of this payload must carry —
 * one credit per started 64 KiB of max(send payload, expected response payload).
 */
export function expectedCreditCharge(payloadBytes: number): number {
  return payloadBytes <= 0 ? 1 : Math.floor((payloadBytes - 1) / 65536) + 1;
}
