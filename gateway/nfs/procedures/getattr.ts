import type { Attrs } from '../../backend/attrs';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { encodeFattr3 } from '../xdr/fattr3';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';

/**
 * RFC 1813 §3.3.1 GETATTR — the hot path.
 * args: the object's handle.
 * ok:   its fattr3.
 * fail: nothing after the status.
 */
export interface Getattr3Args {
  readonly object: Buffer;
}

export const getattr3: Nfs3ProcedureSpec<Getattr3Args, Attrs, undefined> = {
  name: 'GETATTR',
  modifies: false,
  decode: (r) => ({ object: decodeNfsFh3(r) }),
  target: (a) => a.object,
  run: (_a, call, ino) => call.backend.getattr(ino),
  encodeOk: encodeFattr3,
  fail: () => undefined,
  encodeFail: () => {},
};
