/**
 * The fixture both exports get before timing — nfsload's own files, written on disk so nfsload
 * finds them and writes nothing through the servers — and the correctness checks made through
 * each server before timing (bytes by nfs-cat, attributes by GETATTR) and after it (untouched).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../harness';
import { fileUrl, type NfsServer } from './nfs-servers';
import { NFSLOAD_DATA_SIZE, NFSLOAD_SMALL_SIZE, nfsloadBytes } from './nfsload';

/** Writes nl.0 … nl.(files-1) and nl.data into `dir`; returns what the directory then holds. */
export function writeFixture(dir: string, files: number): string {
  mkdirSync(dir, { recursive: true });
  const small = nfsloadBytes(NFSLOAD_SMALL_SIZE);
  const all = new Map<string, Buffer>([['nl.data', nfsloadBytes(NFSLOAD_DATA_SIZE)]]);
  for (let k = 0; k < files; k++) all.set(`nl.${k}`, small);
  for (const [name, bytes] of all) {
    writeFileSync(join(dir, name), bytes);
    chmodSync(join(dir, name), 0o644);
  }
  return fixtureState(dir);
}

/** Names, sizes and mtimes of everything in `dir`, as one comparable string. */
export function fixtureState(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((n) => {
      const st = statSync(join(dir, n));
      return `${n}:${st.size}@${st.mtimeMs}`;
    })
    .join('\n');
}

/** Correctness before timing: the fixture's bytes and attributes, through the server. */
export function verifyServes(peers: string, s: NfsServer, dir: string, files: number): void {
  for (const name of ['nl.0', `nl.${files - 1}`, 'nl.data']) {
    const want = readFileSync(join(dir, name));
    const got = execFileSync('nfs-cat', [fileUrl(s, name)], { maxBuffer: 4 << 20 });
    check(
      got.equals(want),
      `${s.name}: nfs-cat ${name} returns its ${want.length} bytes (got ${got.length})`,
    );
  }
  const nfstool = join(peers, 'tools', 'nfstool');
  const st = execFileSync(nfstool, ['stat', fileUrl(s, 'nl.data')], { encoding: 'utf8' });
  check(
    st.includes(` size=${NFSLOAD_DATA_SIZE} `) && st.includes(' mode=100644 '),
    `${s.name}: GETATTR of nl.data gives its size and mode (${st.trim()})`,
  );
}
