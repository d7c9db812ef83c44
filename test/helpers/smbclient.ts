/**
 * smbclient (Samba's command-line client) run as it ships: one process, connection and session
 * per call, so what it prints is what the server answered. Commands go in `-c` separated by ';'.
 */
import { execFile } from 'node:child_process';
import { hasCommand } from './peers';

export const smbclientPresent: boolean = hasCommand('smbclient');

export interface SmbclientOptions {
  port: number;
  user?: string;
  password?: string;
  share?: string;
  /** `-m` max protocol, e.g. 'SMB2_02', 'SMB3_00'; default the client's (3.1.1). */
  protocol?: string;
  /** `--client-protection=sign`: sign every request and demand signed responses. */
  sign?: boolean;
  /** Extra arguments (e.g. --option=...). */
  extra?: string[];
  /** Working directory (where put reads and get writes local files). */
  cwd?: string;
  timeoutMs?: number;
}

export interface SmbclientResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `smbclient //127.0.0.1/<share> -p PORT -U user%pass -c "<commands>"`; never rejects on exit codes. */
export function smbclient(commands: string, o: SmbclientOptions): Promise<SmbclientResult> {
  const args = [
    `//127.0.0.1/${o.share ?? 'share'}`,
    '-p',
    String(o.port),
    '-U',
    `${o.user ?? 'alice'}%${o.password ?? 'secret'}`,
    ...(o.protocol ? ['-m', o.protocol] : []),
    ...(o.sign ? ['--client-protection=sign'] : []),
    ...(o.extra ?? []),
    '-c',
    commands,
  ];
  return new Promise((resolve) => {
    execFile(
      'smbclient',
      args,
      { cwd: o.cwd, timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Like smbclient, but throws with everything it printed when it exits non-zero or prints NT_STATUS_. */
export async function smbclientOk(commands: string, o: SmbclientOptions): Promise<string> {
  const r = await smbclient(commands, o);
  const out = r.stdout + r.stderr;
  if (r.code !== 0 || /NT_STATUS_/.test(out))
    throw new Error(`smbclient -c '${commands}' failed (exit ${r.code}):\n${out}`);
  return r.stdout;
}

export interface SmbLsEntry {
  readonly name: string;
  readonly attrs: string;
  readonly size: number;
}

/** Entries of an `ls` listing ('.' and '..' included as printed). */
export function parseLs(stdout: string): SmbLsEntry[] {
  const out: SmbLsEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^ {2}(.+?)\s+([DAHSRN]*)\s+(\d+)\s+\w{3} \w{3}\s+\d+ [\d:]+ \d{4}$/.exec(line);
    if (m) out.push({ name: m[1]!, attrs: m[2]!, size: Number(m[3]) });
  }
  return out;
}
