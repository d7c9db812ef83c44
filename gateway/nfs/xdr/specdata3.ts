import type { XdrReader, XdrWriter } from '../../rpc/types';

/** RFC 1813 §2.6 specdata3: the device numbers of a block or character special file. */
export interface Specdata3 {
  readonly major: number;
  readonly minor: number;
}

export function encodeSpecdata3(w: XdrWriter, d: Specdata3): void {
  w.u32(d.major >>> 0).u32(d.minor >>> 0);
}

export function decodeSpecdata3(r: XdrReader): Specdata3 {
  const major = r.u32();
  const minor = r.u32();
  return { major, minor };
}
