import type { Time } from '../../backend/attrs';
import type { XdrReader, XdrWriter } from '../../rpc/types';

/** RFC 1813 §2.6 nfstime3: { uint32 seconds; uint32 nseconds; }. */
export function encodeNfstime3(w: XdrWriter, t: Time): void {
  // Times before 1970 or past 2106 do not fit uint32; wrap as the kernel's servers do.
  w.u32(t.sec >>> 0).u32(t.nsec >>> 0);
}

export function decodeNfstime3(r: XdrReader): Time {
  const sec = r.u32();
  const nsec = r.u32();
  return { sec, nsec };
}
