import fc from 'fast-check';
import { decodeOid, oid, readTlv } from '../../../../../gateway/smb/auth/der';
import { SpnegoError } from '../../../../../gateway/smb/auth/errors';
import {
  buildNegTokenInitHint,
  buildNegTokenResp,
  encodeMechTypes,
  NTLMSSP_OID,
  parseSpnego,
  securityTokenKind,
} from '../../../../../gateway/smb/auth/spnego';
import { hex, sessionSetupBlob, WIN311 } from '../../../../helpers/smb-auth-vectors';

const req1 = sessionSetupBlob(WIN311.sessionSetupRequest1);
const resp1 = sessionSetupBlob(WIN311.sessionSetupResponse1);
const req2 = sessionSetupBlob(WIN311.sessionSetupRequest2);
const resp2 = sessionSetupBlob(WIN311.sessionSetupResponse2);

describe('SPNEGO (RFC 4178) DER codec', () => {
  test('shape 1: the NEGOTIATE response hint is GSS [APPLICATION 0] + SPNEGO OID + negTokenInit{mechTypes=[NTLMSSP]}', () => {
    expect(buildNegTokenInitHint().toString('hex')).toBe(
      '601c06062b0601050502a0123010a00e300c060a2b06010401823702020a',
    );
    const t = parseSpnego(buildNegTokenInitHint());
    expect(t.kind === 'init' && t.init.mechTypes).toEqual([NTLMSSP_OID]);
  });

  test("shape 2: parses the Windows client's negTokenInit (mechTypes, mechToken = NTLM NEGOTIATE)", () => {
    const t = parseSpnego(req1);
    if (t.kind !== 'init') throw new Error('expected init');
    expect(t.init.mechTypes).toEqual([NTLMSSP_OID]);
    expect(t.init.mechTypesDer).toEqual(hex('300C060A2B06010401823702020A'));
    expect(t.init.mechToken?.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(t.init.mechListMIC).toBeUndefined();
  });

  test("shape 3: parses the Windows client's negTokenResp (long-form lengths, responseToken, mechListMIC)", () => {
    const t = parseSpnego(req2);
    if (t.kind !== 'resp') throw new Error('expected resp');
    expect(t.resp.negState).toBe('accept-incomplete');
    expect(t.resp.responseToken).toHaveLength(0x1a6);
    expect(t.resp.mechListMIC).toEqual(hex('0100000063775A9A5FD97F0600000000'));
  });

  test("shape 4: rebuilds the Windows server's two negTokenResp byte for byte", () => {
    const first = parseSpnego(resp1);
    const last = parseSpnego(resp2);
    if (first.kind !== 'resp' || last.kind !== 'resp') throw new Error('expected resp');
    expect(first.resp).toMatchObject({ negState: 'accept-incomplete', supportedMech: NTLMSSP_OID });
    expect(buildNegTokenResp(first.resp)).toEqual(resp1);
    expect(last.resp.negState).toBe('accept-completed');
    expect(buildNegTokenResp(last.resp)).toEqual(resp2);
    expect(buildNegTokenResp({ negState: 'reject' }).toString('hex')).toBe('a1073005a0030a0102');
  });

  test('a bare negTokenInit (no GSS wrapper) and an optimistic token for another mech parse too', () => {
    const bare = parseSpnego(req1.subarray(req1.indexOf(0xa0)));
    expect(bare.kind).toBe('init');
    const krb5 = '1.2.840.48018.1.2.2';
    const mechs = encodeMechTypes([krb5, NTLMSSP_OID]);
    const init = Buffer.concat([
      hex('a0'),
      Buffer.of(mechs.length + 4),
      hex('30'),
      Buffer.of(mechs.length + 2),
      hex('a0'),
      Buffer.of(mechs.length),
      mechs,
    ]);
    const t = parseSpnego(init);
    expect(t.kind === 'init' && t.init.mechTypes).toEqual([krb5, NTLMSSP_OID]);
  });

  test('the codec tells NTLMSSP from SPNEGO by the first bytes', () => {
    expect(securityTokenKind(Buffer.from('NTLMSSP\0\x01\0\0\0', 'latin1'))).toBe('ntlmssp');
    expect(securityTokenKind(req1)).toBe('spnego');
    expect(securityTokenKind(req2)).toBe('spnego');
    expect(securityTokenKind(req1.subarray(req1.indexOf(0xa0)))).toBe('spnego');
    expect(securityTokenKind(Buffer.alloc(0))).toBe('unknown');
    expect(securityTokenKind(Buffer.from('NTLMSSP', 'latin1'))).toBe('unknown');
  });

  test('OIDs round-trip, including multi-byte arcs', () => {
    for (const o of [NTLMSSP_OID, '1.2.840.48018.1.2.2', '1.3.6.1.5.5.2', '2.999.3']) {
      expect(decodeOid(readTlv(oid(o)).value)).toBe(o);
    }
  });

  describe('malformed tokens are SpnegoError', () => {
    test.each([
      ['empty', Buffer.alloc(0)],
      ['truncated', req2.subarray(0, 40)],
      ['indefinite length', hex('a0803000')],
      ['5-byte length field', hex('a0850000000001')],
      ['length past the end', hex('a1053003a0010a')],
      ['trailing bytes after the token', Buffer.concat([resp2, hex('00')])],
      ['wrong GSS mechanism', hex('600806062b0601050503')],
      ['negTokenInit without mechTypes', hex('a0043002a200')],
      ['mechTypes with a non-OID', hex('a0083006a0043002 0400')],
      ['unknown negState', hex('a1073005a0030a0109')],
      ['multi-byte tag', hex('1f0100')],
      ['not a NegotiationToken', hex('300000')],
    ])('%s', (_name, token) => {
      expect(() => parseSpnego(token)).toThrow(SpnegoError);
    });
  });

  test('fuzz: truncations, byte flips and random bytes either parse or throw SpnegoError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(req1, req2, resp1, resp2, buildNegTokenInitHint()),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (seed, cut, flips) => {
          const m = Buffer.from(seed.subarray(0, cut % (seed.length + 1)));
          for (const [at, v] of flips) if (m.length > 0) m[at % m.length] = v;
          try {
            parseSpnego(m);
          } catch (e) {
            expect(e).toBeInstanceOf(SpnegoError);
          }
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          parseSpnego(Buffer.from(b));
        } catch (e) {
          expect(e).toBeInstanceOf(SpnegoError);
        }
      }),
    );
  });
});
