import { WatcherElection, type WatcherLease } from '../../../../adapters/watcher/watcher-election';

/** One shared lease in memory, with its expiry on the real clock (as Redis keeps it). */
class MemoryLease {
  holder: string | undefined;
  until = 0;
  claims = 0;
  /** The standing ask (handover): who, at what rate. */
  ask: { by: string; rate: number } | undefined;
  for(me: string, fault?: () => Promise<void> | undefined): WatcherLease {
    return {
      ask: async (rate) => {
        if (this.ask === undefined || this.ask.by === me || this.ask.rate < rate) this.ask = { by: me, rate };
      },
      asked: async () => (this.ask && this.ask.by !== me ? this.ask.rate : undefined),
      claim: async (ttlMs) => {
        this.claims++;
        const f = fault?.();
        if (f) await f;
        const now = Date.now();
        if (this.holder !== undefined && this.holder !== me && now < this.until) return false;
        this.holder = me;
        this.until = now + ttlMs;
        return true;
      },
      release: async () => {
        if (this.holder === me) this.holder = undefined;
      },
    };
  }
}

async function until(probe: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const timing = { leaseMs: 300, intervalMs: 50 };

describe('WatcherElection: one watcher per lease, taken over when the holder goes', () => {
  const started: WatcherElection[] = [];
  const start = (lease: WatcherLease, flushed = { n: 0 }) => {
    const p = WatcherElection.start({
      lease,
      flushEveryHead: async () => flushed.n++,
      ...timing,
    });
    void p.then((e) => started.push(e));
    return p;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });

  test('the first claimant is elected at start, the second is not and stays out while renewals come', async () => {
    const lease = new MemoryLease();
    const a = await start(lease.for('a'));
    const b = await start(lease.for('b'));
    expect([a.elected, b.elected]).toEqual([true, false]);
    await new Promise((r) => setTimeout(r, timing.leaseMs * 2)); // past a lease: renewed meanwhile
    expect([a.elected, b.elected]).toEqual([true, false]);
    expect(a.stats()).toMatchObject({ elected: true, takeovers: 1, lost: 0 });
  });

  test('a clean close releases: the other takes over within an interval, not a whole lease', async () => {
    const lease = new MemoryLease();
    const a = await start(lease.for('a'));
    const b = await start(lease.for('b'));
    const seen: boolean[] = [];
    b.elected$.subscribe((e) => seen.push(e));
    const t0 = Date.now();
    await a.close();
    expect(a.elected).toBe(false);
    await until(() => b.elected);
    expect(Date.now() - t0).toBeLessThan(timing.leaseMs);
    expect(seen).toEqual([false, true]);
    expect(b.stats().takeovers).toBe(1);
  });

  test('a holder that stops renewing (killed) is taken over once its lease ran out', async () => {
    const lease = new MemoryLease();
    lease.holder = 'dead';
    const expires = Date.now() + timing.leaseMs;
    lease.until = expires;
    const b = await start(lease.for('b'));
    expect(b.elected).toBe(false);
    await until(() => b.elected);
    expect(Date.now()).toBeGreaterThanOrEqual(expires);
    expect(lease.holder).toBe('b');
  });

  test('a failed renewal ends the term at once; the next good claim elects again', async () => {
    const lease = new MemoryLease();
    let fail = false;
    const a = await start(lease.for('a', () => (fail ? Promise.reject(new Error('link down')) : undefined)));
    expect(a.elected).toBe(true);
    fail = true;
    await until(() => !a.elected);
    expect(a.stats().lost).toBe(1);
    fail = false;
    await until(() => a.elected);
    expect(a.stats().takeovers).toBe(2);
  });

  test('a renewal still pending at the next tick ends the term (a hung link is no lease)', async () => {
    const lease = new MemoryLease();
    let hang: Promise<void> | undefined;
    let unhang = () => {};
    const a = await start(lease.for('a', () => hang));
    expect(a.elected).toBe(true);
    hang = new Promise<void>((r) => {
      unhang = r;
    });
    await until(() => !a.elected);
    hang = undefined;
    unhang();
    await until(() => a.elected);
  });

  test('a lease taken by another head meanwhile (this one was late) ends the term', async () => {
    const lease = new MemoryLease();
    const a = await start(lease.for('a'));
    lease.holder = 'other';
    lease.until = Date.now() + 10_000;
    await until(() => !a.elected);
    expect(a.stats().lost).toBe(1);
  });

  test('flushEveryHead asks the shared side once per call and counts it', async () => {
    const flushed = { n: 0 };
    const a = await start(new MemoryLease().for('a'), flushed);
    a.flushEveryHead();
    a.flushEveryHead();
    expect(flushed.n).toBe(2);
    expect(a.stats().flushesSent).toBe(2);
  });

  test('a lease renewed less than twice per term is refused', async () => {
    await expect(
      WatcherElection.start({
        lease: new MemoryLease().for('a'),
        flushEveryHead: async () => {},
        leaseMs: 100,
        intervalMs: 50,
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe('WatcherElection handover: the lease goes to the head that changes the export most', () => {
  const started: WatcherElection[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });
  /** A head changing the export `perSecond` times a second, as its counter tells. */
  const head = async (
    lease: WatcherLease,
    perSecond: number,
    handoverRate?: number,
    handoverHoldMs?: number,
  ) => {
    const t0 = Date.now();
    const e = await WatcherElection.start({
      lease,
      flushEveryHead: async () => {},
      busy: () => Math.floor(((Date.now() - t0) * perSecond) / 1000),
      handoverRate,
      handoverHoldMs,
      ...timing,
    });
    started.push(e);
    return e;
  };

  test('a quiet holder hands over to a head writing far more; the old one stays out', async () => {
    const lease = new MemoryLease();
    const a = await head(lease.for('a'), 0);
    const b = await head(lease.for('b'), 10_000);
    expect([a.elected, b.elected]).toEqual([true, false]);
    await until(() => b.elected);
    expect(a.elected).toBe(false);
    expect(a.stats()).toMatchObject({ handovers: 1, lost: 0 });
    expect(b.stats().rate).toBeGreaterThan(500);
    await new Promise((r) => setTimeout(r, timing.leaseMs * 2));
    expect([a.elected, b.elected]).toEqual([false, true]); // no way back while b is the busier
  });

  test('no handover between heads about as busy, nor to a head under handoverRate', async () => {
    const even = new MemoryLease();
    const a = await head(even.for('a'), 6000);
    const b = await head(even.for('b'), 9000); // busier, but not twice as busy
    const quiet = new MemoryLease();
    const x = await head(quiet.for('x'), 0);
    const y = await head(quiet.for('y'), 400); // far busier than x, but under 500/s
    await new Promise((r) => setTimeout(r, timing.leaseMs * 2));
    expect([a.elected, b.elected, x.elected, y.elected]).toEqual([true, false, true, false]);
    expect(a.stats().handovers + x.stats().handovers).toBe(0);
    expect(b.stats().rate).toBeGreaterThan(7000);
  });

  test('a head handed the lease keeps it for handoverHoldMs, then hands it on to a far busier one', async () => {
    const lease = new MemoryLease();
    const hold = 600;
    const a = await head(lease.for('a'), 0, undefined, hold);
    const b = await head(lease.for('b'), 10_000, undefined, hold);
    await until(() => b.elected);
    const handed = Date.now();
    const c = await head(lease.for('c'), 50_000, undefined, hold); // asks at once: 5 × b's rate
    await until(() => c.elected, hold * 3);
    expect(Date.now() - handed).toBeGreaterThanOrEqual(hold - timing.intervalMs);
    expect([a.elected, b.elected]).toEqual([false, false]);
    expect(b.stats().handovers).toBe(1);
  });

  test('handoverRate 0: no head asks, the holder keeps the watch', async () => {
    const lease = new MemoryLease();
    const a = await head(lease.for('a'), 0, 0);
    const b = await head(lease.for('b'), 10_000, 0);
    await new Promise((r) => setTimeout(r, timing.leaseMs * 2));
    expect([a.elected, b.elected]).toEqual([true, false]);
    expect(lease.ask).toBeUndefined();
    expect(b.stats().rate).toBeGreaterThan(5000); // measured all the same
  });
});
