/**
 * libnfs-utils (nfs-ls, nfs-cp, nfs-cat): the stock libnfs command-line clients, run as they
 * ship. Each run is a fresh process, mount and connection, so nothing is cached client-side
 * between two calls — what they print is what the server answered.
 */
import { execFile } from 'node:child_process';
import { hasCommand } from './peers';

export const libnfsUtilsPresent: boolean =
  hasCommand('nfs-ls') && hasCommand('nfs-cp') && hasCommand('nfs-cat');

export class NfsUtilError extends Error {
  override name = 'NfsUtilError';
  constructor(
    readonly tool: string,
    readonly exitCode: number | string | undefined,
    readonly stderr: string,
  ) {
    super(`${tool} failed (${exitCode}): ${stderr.trim()}`);
  }
}

function run(tool: string, args: string[], timeoutMs = 30_000): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8');
        if (err) reject(new NfsUtilError(tool, err.code ?? err.signal ?? undefined, errText || err.message));
        else resolve({ stdout, stderr: errText });
      },
    );
  });
}

/** `nfs://host/export?q` + '/a/b' → `nfs://host/export/a/b?q`. */
export function urlOf(exportUrl: string, path: string): string {
  const q = exportUrl.indexOf('?');
  const base = q < 0 ? exportUrl : exportUrl.slice(0, q);
  const query = q < 0 ? '' : exportUrl.slice(q);
  const rel = path.replace(/^\/+/, '');
  return rel ? `${base.replace(/\/+$/, '')}/${rel}${query}` : exportUrl;
}

export interface LsEntry {
  /** The mode column as printed, e.g. '-rw-r--r--'. */
  readonly perms: string;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly name: string;
}

const LS_LINE = /^(\S{9,10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)$/;

/** nfs-ls of a directory URL, one parsed entry per line it printed. */
export async function nfsLs(url: string): Promise<LsEntry[]> {
  const { stdout } = await run('nfs-ls', [url]);
  const out: LsEntry[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const m = LS_LINE.exec(line);
    if (!m) throw new Error(`nfs-ls printed an unexpected line: ${JSON.stringify(line)}`);
    out.push({ perms: m[1]!, nlink: +m[2]!, uid: +m[3]!, gid: +m[4]!, size: +m[5]!, name: m[6]! });
  }
  return out;
}

/** nfs-cp SRC DST; either side a local path or an nfs:// file URL (a local DST must not exist yet). */
export async function nfsCp(src: string, dst: string, timeoutMs?: number): Promise<void> {
  const { stdout } = await run('nfs-cp', [src, dst], timeoutMs);
  if (!/^copied \d+ bytes/.test(stdout.toString('utf8'))) {
    throw new NfsUtilError('nfs-cp', 0, `unexpected output ${JSON.stringify(stdout.toString('utf8'))}`);
  }
}

/** nfs-cat of a file URL: the bytes it printed. */
export async function nfsCat(url: string): Promise<Buffer> {
  return (await run('nfs-cat', [url])).stdout;
}
