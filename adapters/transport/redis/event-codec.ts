import type { ChangeEvent, ClientId, InodeKey } from '../../../upcall-core';

/** A change as it travels in a stream entry: everything but the time (the store stamps that). */
export interface WireChange<S> extends ChangeEvent<S> {
  readonly origin: ClientId;
}

/** How changes are written into and read from stream entries. */
export interface EventCodec<S> {
  encode(origin: ClientId, ev: ChangeEvent<S>): string;
  decode(payload: string): WireChange<S>;
}

/**
 * bigints (the backend's fileid and fsid) have no JSON form: they travel as {"$n":"<digits>"}
 * (so a stat type must not use `$n` as a key of its own).
 */
const BIGINT_TAG = '$n';

/**
 * `v` with every bigint replaced by its tagged form, copying only the objects that hold one.
 * Done before a plain JSON.stringify rather than with a replacer: V8 calls a replacer for every
 * key, which made encoding a stat take twice as long on every write's path.
 */
function tagBigints(v: unknown): unknown {
  if (typeof v === 'bigint') return { [BIGINT_TAG]: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const t = tagBigints(v[i]);
      if (t === v[i]) continue;
      out ??= v.slice();
      out[i] = t;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in o) {
    const x = o[k];
    if (typeof x !== 'bigint' && (x === null || typeof x !== 'object')) continue;
    const t = tagBigints(x);
    if (t === x) continue;
    out ??= { ...o };
    out[k] = t;
  }
  return out ?? o;
}

/**
 * Turns tagged bigints back into bigints, walking only into objects and arrays. Done after a plain
 * JSON.parse rather than with a reviver: V8 calls a reviver for every value, which made decoding
 * a stat several times slower on the receiving head's delivery path.
 */
function revive(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  const digits = o[BIGINT_TAG];
  if (typeof digits === 'string') return BigInt(digits);
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = revive(x);
  }
  return o;
}

/**
 * The default codec: JSON with bigints tagged, short field names (an entry is copied once per
 * target). The payload is built once per change, whatever the number of targets.
 */
export function jsonCodec<S>(): EventCodec<S> {
  return {
    encode(origin, ev) {
      return JSON.stringify(
        tagBigints({
          o: origin,
          i: ev.inode,
          f: ev.flags,
          s: ev.stat,
          p: ev.parent,
          ps: ev.parentStat,
          n: ev.name,
          op: ev.oldParent,
          ops: ev.oldParentStat,
          on: ev.oldName,
          x: ev.xattrs,
        }),
      );
    },
    decode(payload) {
      const w = revive(JSON.parse(payload)) as Record<string, unknown>;
      return {
        origin: w.o as ClientId,
        inode: w.i as InodeKey,
        flags: w.f as number,
        stat: w.s as S | undefined,
        parent: w.p as InodeKey | undefined,
        parentStat: w.ps as S | undefined,
        name: w.n as string | undefined,
        oldParent: w.op as InodeKey | undefined,
        oldParentStat: w.ops as S | undefined,
        oldName: w.on as string | undefined,
        xattrs: w.x as string[] | undefined,
      };
    },
  };
}

/** An inode key as it appears in Redis key names: JSON, so the number 5 and the string "5" stay apart. */
export function encodeInodeKey(k: InodeKey): string {
  return typeof k === 'number' ? String(k) : JSON.stringify(k);
}
