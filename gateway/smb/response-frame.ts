/**
 * Lays the responses to one frame out as one frame payload (MS-SMB2 §3.3.4.1.3 compounded
 * responses): each member's header and body, members after the first starting 8-byte aligned,
 * NextCommand pointing at the next; then each member is signed over its own bytes, padding
 * included (§3.3.4.1.1), and told its final bytes (the 3.1.1 preauth hash needs them).
 */
import { encodeResponseHeader, type ResponseHeaderFields, SMB2_HEADER_SIZE } from './header';
import type { SmbSession } from './session';
import { align8 } from './wire';

export interface ResponseMember {
  readonly header: ResponseHeaderFields;
  readonly body: Buffer;
  readonly signer?: SmbSession;
  readonly onEncoded?: (message: Buffer) => void;
}

export function encodeResponses(members: readonly ResponseMember[]): Buffer {
  const starts: number[] = [];
  let total = 0;
  members.forEach((m, i) => {
    if (i > 0) total = align8(total);
    starts.push(total);
    total += SMB2_HEADER_SIZE + m.body.length;
  });
  const out = Buffer.alloc(total);
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
