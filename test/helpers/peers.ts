import { execFileSync } from 'node:child_process';

/**
 * Real third-party peers (nfs-ls, smbclient, Redis...). A suite that needs one is declared with
 * `describePeer`: where the peer is missing it skips with a reason the skip reporter prints,
 * except in CI (CI=true), where a missing peer is a failing test, never a skip.
 */

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function describePeer(title: string, peer: string, available: boolean, body: () => void): void {
  if (available) {
    describe(title, body);
    return;
  }
  if (inCI) {
    describe(title, () => {
      test(`peer ${peer} is present (required in CI)`, () => {
        throw new Error(`${peer} is missing; .ci/run must install it`);
      });
    });
    return;
  }
  describe(title, () => {
    test.skip(`SKIPPED because peer ${peer} is missing on this machine`, () => {});
  });
}
