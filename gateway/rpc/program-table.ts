/**
 * The programs one RPC server answers for, with what dispatch needs precomputed: the lowest and
 * highest version of each (RFC 5531 §9: PROG_MISMATCH carries them).
 */
import type { Procedure, RpcProgram } from './types';

export interface ProgramEntry {
  readonly program: RpcProgram;
  readonly low: number;
  readonly high: number;
}

export interface ProgramVersion {
  readonly prog: number;
  readonly vers: number;
}

export class ProgramTable {
  private readonly byProg = new Map<number, ProgramEntry>();

  /** Adds a program; a program number can be registered once. */
  add(program: RpcProgram): void {
    if (this.byProg.has(program.prog)) {
      throw new Error(`program ${program.prog} (${program.name}) is already registered`);
    }
    const versions = [...program.versions.keys()];
    if (versions.length === 0) throw new Error(`program ${program.prog} (${program.name}) has no versions`);
    for (const v of versions) {
      if (v >>> 0 !== v) throw new Error(`program ${program.prog}: version ${v} is not a u32`);
    }
    this.byProg.set(program.prog, { program, low: Math.min(...versions), high: Math.max(...versions) });
  }

  get(prog: number): ProgramEntry | undefined {
    return this.byProg.get(prog);
  }

  /** The procedure table of one version, or undefined. */
  procedures(prog: number, vers: number): readonly Procedure[] | undefined {
    return this.byProg.get(prog)?.program.versions.get(vers);
  }

  /** Every (program, version) pair served, sorted. */
  list(): ProgramVersion[] {
    const out: ProgramVersion[] = [];
    for (const { program } of this.byProg.values()) {
      for (const vers of program.versions.keys()) out.push({ prog: program.prog, vers });
    }
    return out.sort((a, b) => a.prog - b.prog || a.vers - b.vers);
  }
}
