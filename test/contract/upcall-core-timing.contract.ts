import { UpcallFlags as F, type UpcallCore } from '../../upcall-core';
import { type BuildCore, barrier, type CoreUnderTest, Recorder, sleep, unique } from './contract-helpers';

/**
 * The timing rules in real time, on one timeline with T = 1 s (whole seconds are the option's
 * unit), so the kit stays fast: A reads three inodes at t0, then
 *   t ≈ 0.3 s  a change of f1 reaches A                      (rule 2: strictly within T)
 *   t ≈ 1.25 s another change of f1 does not                  (past T; being told refreshed nothing)
 *   t ≈ 1.5 s  FORGET of f2 still reaches A                   (rule 4: listed though past T)
 *   t ≈ 2.6 s  FORGET of f3 does not                          (rule 5: idle for more than 2T, deleted)
 * The margins (≥ 200 ms) absorb scheduling and a store's round trips.
 */
export function runTimingContract(name: string, build: BuildCore): void {
  describe(`UpcallCore contract (timing, T = 1 s): ${name}`, () => {
    let under: CoreUnderTest;
    let core: UpcallCore;

    beforeEach(async () => {
      under = await build();
      core = under.core;
      core.reconfigure({ 'features.cache-invalidation': 'on', 'features.cache-invalidation-timeout': 1 });
    });

    afterEach(async () => {
      await under.close();
    });

    test('told within T, silent after, still listed until 2T, gone after 2T', async () => {
      const [A, B, C] = [unique('A'), unique('B'), unique('C')];
      const [f1, f2, f3] = [unique('f1'), unique('f2'), unique('f3')];
      const a = new Recorder(core, A);
      const t0 = Date.now();
      const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
      for (const f of [f1, f2, f3]) core.access(A, f);

      await at(300);
      await core.change(B, { inode: f1, flags: F.SIZE });
      await barrier(core, a);
      expect(a.inodeEvents.map((e) => [e.inode, e.flags])).toEqual([[f1, F.SIZE]]);

      await at(1250);
      await core.change(B, { inode: f1, flags: F.MODE });
      await barrier(core, a);
      expect(a.inodeEvents).toHaveLength(1);

      await at(1500);
      await core.forget(f2, C);
      await barrier(core, a);
      expect(a.inodeEvents.map((e) => [e.inode, e.flags])).toEqual([
        [f1, F.SIZE],
        [f2, F.FORGET],
      ]);

      await at(2600);
      await core.forget(f3, C);
      await barrier(core, a);
      expect(a.inodeEvents).toHaveLength(2);
      a.stop();
    });
  });
}
