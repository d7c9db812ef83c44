import { AuthSysCache, decodeAuthSys, encodeAuthSys } from '../../../../gateway/rpc/auth-sys';
import { XdrError } from '../../../../gateway/rpc/errors';
import { createXdrWriter } from '../../../../gateway/rpc/xdr-writer';
import { authSys } from '../../../helpers/rpc-client';

describe('AUTH_SYS (RFC 5531 appendix A)', () => {
  test('decodes what an independent encoder wrote', () => {
    const { body } = authSys({ uid: 1000, gid: 100, gids: [4, 24, 27], machine: 'host-a', stamp: 77 });
    expect(decodeAuthSys(body)).toEqual({
      stamp: 77,
      machine: 'host-a',
      uid: 1000,
      gid: 100,
      gids: [4, 24, 27],
    });
  });

  test('round-trips through encodeAuthSys', () => {
    const a = { stamp: 1, machine: 'm', uid: 0, gid: 0, gids: [1, 2] };
    const w = createXdrWriter();
    encodeAuthSys(w, a);
    expect(decodeAuthSys(w.finish())).toEqual(a);
  });

  test('gids<16>: sixteen are accepted, seventeen are not', () => {
    const gids = Array.from({ length: 16 }, (_, i) => i);
    expect(decodeAuthSys(authSys({ uid: 1, gid: 1, gids }).body).gids).toHaveLength(16);
    expect(() => decodeAuthSys(authSys({ uid: 1, gid: 1, gids: [...gids, 16] }).body)).toThrow(XdrError);
  });

  test('machinename<255>: 255 bytes are accepted, 256 are not', () => {
    expect(decodeAuthSys(authSys({ uid: 1, gid: 1, machine: 'x'.repeat(255) }).body).machine).toHaveLength(
      255,
    );
    expect(() => decodeAuthSys(authSys({ uid: 1, gid: 1, machine: 'x'.repeat(256) }).body)).toThrow(XdrError);
  });

  test('a truncated body or trailing bytes are a bad credential', () => {
    const { body } = authSys({ uid: 1, gid: 1, gids: [5] });
    for (let cut = 0; cut < body.length; cut++) {
      expect(() => decodeAuthSys(body.subarray(0, cut))).toThrow(XdrError);
    }
    expect(() => decodeAuthSys(Buffer.concat([body, Buffer.alloc(4)]))).toThrow(XdrError);
  });

  test('the decoded credential is frozen, so sharing it between calls is safe', () => {
    const a = decodeAuthSys(authSys({ uid: 1, gid: 1, gids: [2] }).body);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.gids)).toBe(true);
  });

  test('the cache returns the same object for the same bytes and decodes different ones', () => {
    const cache = new AuthSysCache();
    const b1 = authSys({ uid: 1, gid: 1 }).body;
    const first = cache.get(b1);
    expect(cache.get(Buffer.from(b1))).toBe(first);
    // Overwriting the caller's buffer must not corrupt the cached key.
    b1.fill(0);
    expect(cache.get(authSys({ uid: 1, gid: 1 }).body)).toBe(first);
    for (let uid = 2; uid < 10; uid++) expect(cache.get(authSys({ uid, gid: 1 }).body).uid).toBe(uid);
    expect(() => cache.get(Buffer.alloc(3))).toThrow(XdrError);
  });
});
