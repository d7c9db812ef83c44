import fc from 'fast-check';
import { NtlmMessageError } from '../../../../../gateway/smb/auth/errors';
import { NtlmFlag } from '../../../../../gateway/smb/auth/ntlm-constants';
import {
  buildChallenge,
  chooseChallengeFlags,
  parseAuthenticate,
  parseNegotiate,
} from '../../../../../gateway/smb/auth/ntlm-messages';
import { hex, NLMP, sessionSetupBlob, WIN311 } from '../../../../helpers/smb-auth-vectors';

/** The NTLMSSP token inside a Windows SPNEGO blob (it starts at the 'NTLMSSP' signature). */
const ntlmIn = (blob: Buffer): Buffer => blob.subarray(blob.indexOf('NTLMSSP\0', 0, 'latin1'));

describe('NTLMSSP messages (MS-NLMP §2.2.1)', () => {
  test('§2.2.1.1: parses the Windows NEGOTIATE (flags, VERSION)', () => {
    const m = parseNegotiate(ntlmIn(sessionSetupBlob(WIN311.sessionSetupRequest1)));
    expect(m.flags).toBe(0xe2088297);
    expect(m.domain).toBe('');
    expect(m.version).toEqual(hex('060380250000000F'));
  });

  test("§3.2.5.1.1: for the Windows client's flags we choose exactly what the Windows server chose (0xE28A8215)", () => {
    expect(chooseChallengeFlags(0xe2088297)).toBe(0xe28a8215);
  });

  test('flags: only echoed capabilities, never LM_KEY; OEM only when the client cannot do UNICODE', () => {
    const F = NtlmFlag;
    const smbclient = 0x62088215; // smbclient 4.17's NEGOTIATE flags (SMB.md §2.1)
    const c = chooseChallengeFlags(smbclient);
    expect(c & F.NTLMSSP_NEGOTIATE_56).toBe(0);
    expect(c & F.NTLMSSP_NEGOTIATE_KEY_EXCH).toBeTruthy();
    expect(c & F.NTLMSSP_NEGOTIATE_TARGET_INFO).toBeTruthy();
    expect(
      chooseChallengeFlags(F.NTLMSSP_NEGOTIATE_LM_KEY | F.NTLMSSP_NEGOTIATE_UNICODE) &
        F.NTLMSSP_NEGOTIATE_LM_KEY,
    ).toBe(0);
    expect(chooseChallengeFlags(F.NTLM_NEGOTIATE_OEM) & F.NTLM_NEGOTIATE_OEM).toBeTruthy();
    expect(
      chooseChallengeFlags(F.NTLM_NEGOTIATE_OEM | F.NTLMSSP_NEGOTIATE_UNICODE) & F.NTLM_NEGOTIATE_OEM,
    ).toBe(0);
    expect(chooseChallengeFlags(0) & F.NTLMSSP_NEGOTIATE_SEAL).toBe(0);
  });

  test("§2.2.1.2: with Windows' inputs buildChallenge is byte-identical to the Windows server's CHALLENGE", () => {
    const windows = ntlmIn(sessionSetupBlob(WIN311.sessionSetupResponse1));
    const targetInfo = windows.subarray(
      windows.readUInt32LE(44),
      windows.readUInt32LE(44) + windows.readUInt16LE(40),
    );
    const built = buildChallenge({
      flags: 0xe28a8215,
      serverChallenge: WIN311.serverChallenge,
      targetName: 'SUT311',
      targetInfo,
      version: WIN311.serverVersion,
    });
    expect(built.toString('hex')).toBe(windows.toString('hex'));
  });

  test("§4.2.4.3: parses the spec's NTLMv2 AUTHENTICATE", () => {
    const a = parseAuthenticate(NLMP.v2.authenticate);
    expect(a.flags).toBe(0xe2888235);
    expect(a.user).toBe('User');
    expect(a.domain).toBe('Domain');
    expect(a.workstation).toBe('COMPUTER');
    expect(a.lmResponse).toEqual(NLMP.v2.lmv2Response);
    expect(a.ntResponse).toEqual(Buffer.concat([NLMP.v2.ntProofStr, NLMP.v2.temp]));
    expect(a.encryptedRandomSessionKey).toEqual(NLMP.v2.encryptedSessionKey);
    expect(a.payloadStart).toBe(0x48);
  });

  test('parses the Windows AUTHENTICATE (MIC-era layout: payload after VERSION and MIC at 88)', () => {
    const a = parseAuthenticate(ntlmIn(sessionSetupBlob(WIN311.sessionSetupRequest2)));
    expect(a.user).toBe('administrator');
    expect(a.domain).toBe('SUT311');
    expect(a.workstation).toBe('DRIVER311');
    expect(a.ntResponse).toHaveLength(238);
    expect(a.payloadStart).toBe(88);
    expect(a.raw.subarray(72, 88)).toEqual(hex('ECAC77A5F385A8BF9C38C706EEEDDCD3'));
  });

  test('OEM strings are read when UNICODE is not set', () => {
    const m = Buffer.from(NLMP.v1.authenticate);
    m.writeUInt32LE((m.readUInt32LE(60) & ~NtlmFlag.NTLMSSP_NEGOTIATE_UNICODE) >>> 0, 60);
    expect(parseAuthenticate(m).user).toBe('U\0s\0e\0r\0');
  });

  describe('malformed input is an NtlmMessageError', () => {
    const auth = NLMP.v2.authenticate;
    const cases: Array<[string, () => unknown]> = [
      ['no signature', () => parseAuthenticate(Buffer.from('NTLMSSX\0\x03\0\0\0', 'latin1'))],
      ['too short for a type', () => parseNegotiate(Buffer.from('NTLMSSP\0', 'latin1'))],
      ['wrong type', () => parseNegotiate(auth)],
      ['AUTHENTICATE shorter than 64 bytes', () => parseAuthenticate(auth.subarray(0, 63))],
      ['field past the end', () => parseAuthenticate(auth.subarray(0, auth.length - 1))],
      [
        'offset overflow',
        () => {
          const m = Buffer.from(auth);
          m.writeUInt32LE(0xffffffff, 24);
          return parseAuthenticate(m);
        },
      ],
      [
        'odd UTF-16 length',
        () => {
          const m = Buffer.from(auth);
          m.writeUInt16LE(7, 36);
          return parseAuthenticate(m);
        },
      ],
      [
        'NEGOTIATE field outside',
        () => {
          const m = Buffer.from(ntlmIn(sessionSetupBlob(WIN311.sessionSetupRequest1)));
          m.writeUInt16LE(4, 16);
          m.writeUInt32LE(200, 20);
          return parseNegotiate(m);
        },
      ],
    ];
    test.each(cases)('%s', (_name, f) => {
      expect(f).toThrow(NtlmMessageError);
    });
  });

  test('fuzz: truncations, byte flips and random bytes either parse or throw NtlmMessageError', () => {
    const seeds = [
      NLMP.v1.authenticate,
      NLMP.v2.authenticate,
      ntlmIn(sessionSetupBlob(WIN311.sessionSetupRequest2)),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (seed, cut, flips) => {
          const m = Buffer.from(seed.subarray(0, cut % (seed.length + 1)));
          for (const [at, v] of flips) if (m.length > 0) m[at % m.length] = v;
          for (const parse of [parseAuthenticate, parseNegotiate]) {
            try {
              parse(m);
            } catch (e) {
              expect(e).toBeInstanceOf(NtlmMessageError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
