/**
 * The real `upcall-gateway` binary (dist/cli/upcall-gateway.js) as a child process: built once
 * if dist is missing or older than the sources, its JSON log lines (stderr is not a TTY) parsed
 * as they arrive, and its `get` / `set` subcommands run to completion.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const GATEWAY_JS = join(ROOT, 'dist', 'cli', 'upcall-gateway.js');
const SOURCES = ['cli', 'gateway', 'upcall-core', 'plugin', 'adapters'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist with the project's compiler unless it is present and newer than every source.
 * tsc's exit status is not trusted alone: it emits despite type errors elsewhere in the tree, so
 * success is a gateway script written by this build.
 */
export function ensureGatewayBuilt(timeoutMs = 90_000): void {
  const newest = Math.max(...SOURCES.map((d) => newestSource(join(ROOT, d))));
  if (existsSync(GATEWAY_JS) && statSync(GATEWAY_JS).mtimeMs >= newest) return;
  const started = Date.now();
  let output = '';
  try {
    execFileSync(process.execPath, ['node_modules/typescript7/bin/tsc', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      timeout: timeoutMs,
      stdio: 'pipe',
    });
  } catch (err) {
    output = String((err as { stdout?: Buffer }).stdout ?? err);
  }
  if (!existsSync(GATEWAY_JS) || statSync(GATEWAY_JS).mtimeMs < started - 1000) {
    throw new Error(`building ${GATEWAY_JS} failed:\n${output}`);
  }
}

export type LogLine = Record<string, unknown> & { message: string; level: string };

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Text on stderr that was not a JSON log line (usage errors). */
  readonly rawStderr: () => string;
  /** Resolves with the first log line matching, as soon as it is printed. */
  line(match: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export function spawnGateway(args: string[]): GatewayProcess {
  const child = spawn(process.execPath, [GATEWAY_JS, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let raw = '';
  let pending = '';
  const waiters = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        raw += `${p}\n`;
      }
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    });
  });
  const line = (match: (l: LogLine) => boolean, what: string, timeoutMs = 10_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(match);
        if (hit) done(() => resolve(hit));
        else if (child.exitCode !== null || child.signalCode !== null)
          done(() => reject(new Error(`gateway exited before ${what}; stderr: ${raw}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${what}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    lines,
    rawStderr: () => raw + pending,
    line,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the binary to completion (e.g. `get`, `set`, a bad flag). */
export function runGateway(
  args: string[],
  timeoutMs = 15_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [GATEWAY_JS, ...args],
      { cwd: ROOT, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
