import { AuthSysCache } from '../../../../gateway/rpc/auth-sys';
import { CallDeniedError, CallDroppedError } from '../../../../gateway/rpc/errors';
import { AcceptStat, AuthStat, RejectStat } from '../../../../gateway/rpc/rpc-constants';
import {
  type CallHeader,
  decodeCallHeader,
  writeAcceptedReply,
  writeAuthErrorReply,
  writeProgMismatchReply,
  writeRpcMismatchReply,
} from '../../../../gateway/rpc/rpc-message';
import { createXdrReader } from '../../../../gateway/rpc/xdr-reader';
import { createXdrWriter } from '../../../../gateway/rpc/xdr-writer';
import { AUTH_NONE, authSys, decodeReply, encodeCall, type RpcAuth } from '../../../helpers/rpc-client';

const origin = { remoteAddress: '10.0.0.9', remotePort: 812 };

function decode(rec: Buffer, cache?: AuthSysCache): { header: CallHeader; rest: Buffer } {
  const r = createXdrReader(rec);
  const header = decodeCallHeader(r, { ...origin, authCache: cache });
  return { header, rest: rec.subarray(r.position) };
}

function denied(rec: Buffer): CallDeniedError {
  try {
    decode(rec);
  } catch (err) {
    if (err instanceof CallDeniedError) return err;
    throw err;
  }
  throw new Error('expected CallDeniedError');
}

describe('call header (RFC 5531 §9)', () => {
  test('decodes xid, program, version, procedure and leaves the reader at the arguments', () => {
    const args = Buffer.from('0000000700000008', 'hex');
    const { header, rest } = decode(encodeCall(0xfeedbeef, 100003, 3, 1, args));
    expect(header).toMatchObject({
      xid: 0xfeedbeef,
      prog: 100003,
      vers: 3,
      proc: 1,
      auth: null,
      remoteAddress: '10.0.0.9',
      remotePort: 812,
    });
    expect(rest).toEqual(args);
  });

  test('AUTH_SYS credentials are decoded into auth (appendix A)', () => {
    const cred = authSys({ uid: 501, gid: 20, gids: [12, 61], machine: 'mac' });
    const { header, rest } = decode(encodeCall(1, 1, 1, 0, Buffer.from('abcd'), cred), new AuthSysCache());
    expect(header.auth).toEqual({ stamp: 0x5eed, machine: 'mac', uid: 501, gid: 20, gids: [12, 61] });
    expect(rest.toString()).toBe('abcd');
  });

  test('a REPLY or any other msg_type is dropped, not answered', () => {
    const rec = encodeCall(5, 1, 1, 0);
    rec.writeUInt32BE(1, 4);
    expect(() => decode(rec)).toThrow(CallDroppedError);
    rec.writeUInt32BE(7, 4);
    expect(() => decode(rec)).toThrow(CallDroppedError);
  });

  test('a header truncated anywhere is dropped', () => {
    const rec = encodeCall(5, 1, 1, 0, undefined, authSys({ uid: 1, gid: 1 }));
    for (let cut = 0; cut < rec.length; cut++) {
      expect(() => decode(rec.subarray(0, cut))).toThrow(CallDroppedError);
    }
    expect(() => decode(rec)).not.toThrow();
  });

  test('rpcvers other than 2 is denied with RPC_MISMATCH', () => {
    const err = denied(encodeCall(9, 1, 1, 0, undefined, AUTH_NONE, { rpcvers: 3 }));
    expect(err.xid).toBe(9);
    expect(err.rejectStat).toBe(RejectStat.RPC_MISMATCH);
  });

  test.each<[string, RpcAuth, RpcAuth | undefined, AuthStat]>([
    ['an unknown flavor', { flavor: 390004, body: Buffer.alloc(8) }, undefined, AuthStat.AUTH_BADCRED],
    ['RPCSEC_GSS, not served', { flavor: 6, body: Buffer.alloc(4) }, undefined, AuthStat.AUTH_BADCRED],
    ['AUTH_DH, not served', { flavor: 3, body: Buffer.alloc(4) }, undefined, AuthStat.AUTH_BADCRED],
    [
      'AUTH_SHORT (we never issued one)',
      { flavor: 2, body: Buffer.alloc(8) },
      undefined,
      AuthStat.AUTH_REJECTEDCRED,
    ],
    ['a malformed AUTH_SYS body', { flavor: 1, body: Buffer.alloc(6) }, undefined, AuthStat.AUTH_BADCRED],
    ['AUTH_NONE with a body', { flavor: 0, body: Buffer.alloc(4) }, undefined, AuthStat.AUTH_BADCRED],
    [
      'a verifier that is not AUTH_NONE',
      AUTH_NONE,
      { flavor: 1, body: Buffer.alloc(0) },
      AuthStat.AUTH_BADVERF,
    ],
    [
      'an AUTH_NONE verifier with a body',
      AUTH_NONE,
      { flavor: 0, body: Buffer.alloc(4) },
      AuthStat.AUTH_BADVERF,
    ],
    ['a credential over 400 bytes', { flavor: 1, body: Buffer.alloc(404) }, undefined, AuthStat.AUTH_BADCRED],
    ['a verifier over 400 bytes', AUTH_NONE, { flavor: 0, body: Buffer.alloc(404) }, AuthStat.AUTH_BADVERF],
  ])('%s is denied with AUTH_ERROR (§9)', (_what, cred, verf, stat) => {
    const err = denied(encodeCall(11, 1, 1, 0, undefined, cred, { verf }));
    expect(err.xid).toBe(11);
    expect(err.rejectStat).toBe(RejectStat.AUTH_ERROR);
    expect(err.authStat).toBe(stat);
  });

  test('a 400-byte opaque_auth body is within bounds (§8.2)', () => {
    const cred = authSys({ uid: 1, gid: 1, machine: 'x'.repeat(255), gids: Array(16).fill(3) });
    expect(cred.body.length).toBeLessThanOrEqual(400);
    expect(decode(encodeCall(1, 1, 1, 0, undefined, cred)).header.auth?.gids).toHaveLength(16);
    // 400 bytes of AUTH_NONE verifier body is still checked for the flavor rule, not the bound.
    const err = denied(
      encodeCall(1, 1, 1, 0, undefined, AUTH_NONE, { verf: { flavor: 0, body: Buffer.alloc(400) } }),
    );
    expect(err.authStat).toBe(AuthStat.AUTH_BADVERF);
  });
});

describe('reply headers (RFC 5531 §9)', () => {
  test('SUCCESS: MSG_ACCEPTED, AUTH_NONE verifier, then the results', () => {
    const w = createXdrWriter();
    writeAcceptedReply(w, 0x01020304, AcceptStat.SUCCESS);
    w.u32(42);
    const reply = decodeReply(w.finish());
    expect(reply).toMatchObject({ xid: 0x01020304, replyStat: 0, acceptStat: 0 });
    expect(reply.verifier).toEqual({ flavor: 0, body: Buffer.alloc(0) });
    expect(reply.body.readUInt32BE(0)).toBe(42);
  });

  test.each([
    AcceptStat.PROG_UNAVAIL,
    AcceptStat.PROC_UNAVAIL,
    AcceptStat.GARBAGE_ARGS,
    AcceptStat.SYSTEM_ERR,
  ])('accept_stat %i has no body', (stat) => {
    const w = createXdrWriter();
    writeAcceptedReply(w, 7, stat);
    const reply = decodeReply(w.finish());
    expect(reply.acceptStat).toBe(stat);
    expect(reply.body.length).toBe(0);
  });

  test('PROG_MISMATCH carries low and high', () => {
    const w = createXdrWriter();
    writeProgMismatchReply(w, 7, 2, 4);
    expect(decodeReply(w.finish())).toMatchObject({ acceptStat: 2, mismatch: { low: 2, high: 4 } });
  });

  test('MSG_DENIED: RPC_MISMATCH 2..2 and AUTH_ERROR with its auth_stat', () => {
    const w = createXdrWriter();
    writeRpcMismatchReply(w, 8);
    expect(decodeReply(w.finish())).toMatchObject({
      xid: 8,
      replyStat: 1,
      rejectStat: 0,
      mismatch: { low: 2, high: 2 },
    });
    writeAuthErrorReply(w, 9, AuthStat.AUTH_TOOWEAK);
    expect(decodeReply(w.finish())).toMatchObject({ xid: 9, replyStat: 1, rejectStat: 1, authStat: 5 });
  });
});
