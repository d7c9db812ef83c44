/**
 * Runs one smbtorture suite against a server and returns each subtest's result. smbtorture
 * gets its own time limit (`--maximum-runtime`) and a hard kill a little later, so a server
 * that hangs a subtest costs a bounded time and shows as the subtests that never ran.
 */
import { spawn } from 'node:child_process';
import { parseSmbtortureOutput, type SubtestResult } from './outcomes';

export interface TortureTarget {
  readonly port: number;
  readonly share: string;
  readonly user: string;
  readonly password: string;
}

export interface SuiteRun {
  readonly suite: string;
  readonly results: Map<string, SubtestResult>;
  readonly seconds: number;
  /** True when the hard limit killed smbtorture. */
  readonly killed: boolean;
  /** The whole output, for the failure message of a red suite. */
  readonly output: string;
}

export function runSuite(suite: string, target: TortureTarget, limitSeconds: number): Promise<SuiteRun> {
  const args = [
    `//127.0.0.1/${target.share}`,
    '-p',
    String(target.port),
    '-U',
    `${target.user}%${target.password}`,
    '--fullname',
    `--maximum-runtime=${limitSeconds}`,
    `smb2.${suite}`,
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('smbtorture', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let killed = false;
    const hardLimit = setTimeout(
      () => {
        killed = true;
        child.kill('SIGKILL');
      },
      (limitSeconds + 15) * 1000,
    );
    child.on('error', (e) => {
      clearTimeout(hardLimit);
      reject(e);
    });
    child.on('close', () => {
      clearTimeout(hardLimit);
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({
        suite,
        results: parseSmbtortureOutput(output),
        seconds: (performance.now() - started) / 1000,
        killed,
        output,
      });
    });
  });
}
