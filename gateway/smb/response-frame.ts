/**
 * Lays the responses to one frame out as one frame payload (MS-SMB2 §3.3.4.1.3 compounded
 * responses): each member's header and body, members after the first starting 8-byte aligned,
 * NextCommand pointing at the next; then each member is signed over its own bytes, padding
 * included (§3.3.4.1.1), and told its final bytes (the 3.1.1 preauth hash needs them).
 *
 * The payload always has room in front for the Direct TCP header (framing.ts allocOutgoing), so
 * the connection sends it as one buffer. A lone member whose body was built with room for the
 * SMB2 header too (`responseBodyWithRoom`: READ's up to 8 MiB of data) gets its header written
 * in front of it: the body is never copied.
 */
import { allocOutgoing, FRAME_HEADER_SIZE, withRoom } from './framing';
import { encodeResponseHeader, type ResponseHeaderFields, SMB2_HEADER_SIZE } from './header';
import type { SmbSession } from './session';
import { align8 } from './wire';

export interface ResponseMember {
  readonly header: ResponseHeaderFields;
  readonly body: Buffer;
  readonly signer?: SmbSession;
  readonly onEncoded?: (message: Buffer) => void;
}

/** Room a body needs in front so that header and frame header go there (see encodeResponses). */
export const RESPONSE_ROOM = FRAME_HEADER_SIZE + SMB2_HEADER_SIZE;

/**
 * A response body of `size` bytes (StructureSize written, the rest uninitialised: the command
 * fills every byte it sends) with RESPONSE_ROOM in front; a shorter `subarray(0, n)` of it keeps
 * the room.
 */
export function responseBodyWithRoom(structureSize: number, size: number): Buffer {
  const b = allocOutgoing(RESPONSE_ROOM, Math.max(size, structureSize));
  b.writeUInt16LE(structureSize, 0);
  return b;
}

export function encodeResponses(members: readonly ResponseMember[]): Buffer {
  const only = members.length === 1 ? members[0]! : undefined;
  const inPlace = only && withRoom(only.body, SMB2_HEADER_SIZE);
  if (only && inPlace) {
    encodeResponseHeader({ ...only.header, nextCommand: 0 }, inPlace, 0);
    only.signer?.sign(inPlace);
    only.onEncoded?.(inPlace);
    return inPlace;
  }
  const starts: number[] = [];
  let total = 0;
  members.forEach((m, i) => {
    if (i > 0) total = align8(total);
    starts.push(total);
    total += SMB2_HEADER_SIZE + m.body.length;
  });
  const out = allocOutgoing(FRAME_HEADER_SIZE, total, true);
  members.forEach((m, i) => {
    const start = starts[i]!;
    const next = i + 1 < members.length ? starts[i + 1]! - start : 0;
    encodeResponseHeader({ ...m.header, nextCommand: next }, out, start);
    m.body.copy(out, start + SMB2_HEADER_SIZE);
  });
  members.forEach((m, i) => {
    const start = starts[i]!;
    const end = i + 1 < members.length ? starts[i + 1]! : total;
    const msg = out.subarray(start, end);
    m.signer?.sign(msg);
    m.onEncoded?.(out.subarray(start, start + SMB2_HEADER_SIZE + m.body.length));
  });
  return out;
}
