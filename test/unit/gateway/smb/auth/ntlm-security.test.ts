import { NtlmSecurityContext, ntlmDirectionKeys } from '../../../../../gateway/smb/auth/ntlm-security';
import { NLMP, WIN311 } from '../../../../helpers/smb-auth-vectors';

describe('NTLMSSP signing and sealing with extended session security (MS-NLMP §3.4)', () => {
  test('§4.2.4.4 (NTLMv2, KEY_EXCH, 128-bit): client keys, sealed message and signature', () => {
    const keys = ntlmDirectionKeys(NLMP.randomSessionKey, NLMP.v2.flags, true);
    expect(keys.sealKey).toEqual(NLMP.v2.sealKey);
    expect(keys.signKey).toEqual(NLMP.v2.signKey);
    const client = new NtlmSecurityContext(NLMP.randomSessionKey, NLMP.v2.flags, 'client');
    const { sealed, signature } = client.seal(NLMP.plaintext);
    expect(sealed).toEqual(NLMP.v2.sealedPlaintext);
    expect(signature).toEqual(NLMP.v2.signature);
  });

  test('§4.2.4.4: the server unseals the client message and accepts its signature', () => {
    const server = new NtlmSecurityContext(NLMP.randomSessionKey, NLMP.v2.flags, 'server');
    const r = server.unseal(NLMP.v2.sealedPlaintext, NLMP.v2.signature);
    expect(r.ok).toBe(true);
    expect(r.message).toEqual(NLMP.plaintext);
  });

  test('§4.2.3.4 (NTLMv1+ESS, 56-bit seal key, no KEY_EXCH so the checksum is not RC4-sealed)', () => {
    const exported = NLMP.v1Ess.keyExchangeKey;
    const keys = ntlmDirectionKeys(exported, NLMP.v1Ess.flags, true);
    expect(keys.sealKey).toEqual(NLMP.v1Ess.sealKey);
    expect(keys.signKey).toEqual(NLMP.v1Ess.signKey);
    const { sealed, signature } = new NtlmSecurityContext(exported, NLMP.v1Ess.flags, 'client').seal(
      NLMP.plaintext,
    );
    expect(sealed).toEqual(NLMP.v1Ess.sealedPlaintext);
    expect(signature).toEqual(NLMP.v1Ess.signature);
  });

  test('Windows capture: the four sign/seal keys from the exported session key', () => {
    const flags = 0xe2888215;
    const c = ntlmDirectionKeys(WIN311.sessionKey, flags, true);
    const s = ntlmDirectionKeys(WIN311.sessionKey, flags, false);
    expect(c.signKey).toEqual(WIN311.ntlmKeys.clientSign);
    expect(s.signKey).toEqual(WIN311.ntlmKeys.serverSign);
    expect(c.sealKey).toEqual(WIN311.ntlmKeys.clientSeal);
    expect(s.sealKey).toEqual(WIN311.ntlmKeys.serverSeal);
  });

  test('signatures carry increasing sequence numbers; a replayed or reordered one fails', () => {
    const flags = 0xe2888215;
    const client = new NtlmSecurityContext(WIN311.sessionKey, flags, 'client');
    const server = new NtlmSecurityContext(WIN311.sessionKey, flags, 'server');
    const a = client.sign(Buffer.from('one'));
    const b = client.sign(Buffer.from('two'));
    expect(a.readUInt32LE(0)).toBe(1);
    expect(a.readUInt32LE(12)).toBe(0);
    expect(b.readUInt32LE(12)).toBe(1);
    expect(server.verify(Buffer.from('one'), a)).toBe(true);
    expect(server.verify(Buffer.from('one'), a)).toBe(false);
    const fresh = new NtlmSecurityContext(WIN311.sessionKey, flags, 'server');
    expect(fresh.verify(Buffer.from('two'), b)).toBe(false);
  });

  test('directions are distinct: a server cannot verify its own signature', () => {
    const flags = 0xe2888215;
    const server = new NtlmSecurityContext(WIN311.sessionKey, flags, 'server');
    const other = new NtlmSecurityContext(WIN311.sessionKey, flags, 'server');
    expect(other.verify(Buffer.from('x'), server.sign(Buffer.from('x')))).toBe(false);
    expect(server.verify(Buffer.from('x'), Buffer.alloc(15))).toBe(false);
  });

  test('refuses a context without extended session security (CRC32 signatures are not implemented)', () => {
    expect(() => new NtlmSecurityContext(WIN311.sessionKey, NLMP.v1.flags, 'server')).toThrow(RangeError);
  });
});
