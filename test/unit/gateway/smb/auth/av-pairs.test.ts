import {
  avFlags,
  buildAvPairs,
  fileTimeBytes,
  fileTimeFromMs,
  micPresent,
  parseAvPairs,
  stringPair,
} from '../../../../../gateway/smb/auth/av-pairs';
import { NtlmMessageError } from '../../../../../gateway/smb/auth/errors';
import { AvId } from '../../../../../gateway/smb/auth/ntlm-constants';
import { hex, NLMP } from '../../../../helpers/smb-auth-vectors';

describe('AV_PAIR lists (MS-NLMP §2.2.2.1)', () => {
  test('§4.2.4: builds the spec\'s TargetInfo (NetBIOS domain "Domain", server "Server")', () => {
    const built = buildAvPairs([
      stringPair(AvId.MsvAvNbDomainName, 'Domain'),
      stringPair(AvId.MsvAvNbComputerName, 'Server'),
    ]);
    // The blob's AV pairs start 28 bytes in and end with EOL (then 4 bytes of padding).
    expect(built).toEqual(NLMP.v2.temp.subarray(28, NLMP.v2.temp.length - 4));
  });

  test('parses up to MsvAvEOL and ignores trailing padding', () => {
    const pairs = parseAvPairs(NLMP.v2.temp.subarray(28));
    expect(pairs.map((p) => p.id)).toEqual([AvId.MsvAvNbDomainName, AvId.MsvAvNbComputerName]);
    expect(pairs[1]!.value.toString('utf16le')).toBe('Server');
  });

  test('MsvAvFlags bit 0x2 says a MIC is present', () => {
    const withMic = parseAvPairs(buildAvPairs([{ id: AvId.MsvAvFlags, value: hex('02000000') }]));
    expect(avFlags(withMic)).toBe(2);
    expect(micPresent(withMic)).toBe(true);
    expect(micPresent(parseAvPairs(buildAvPairs([])))).toBe(false);
  });

  test.each([
    ['empty', Buffer.alloc(0)],
    ['no EOL', buildAvPairs([stringPair(1, 'x')]).subarray(0, 6)],
    ['pair longer than the list', hex('0100ff00414100')],
  ])('malformed list (%s) → NtlmMessageError', (_n, b) => {
    expect(() => parseAvPairs(b)).toThrow(NtlmMessageError);
  });

  test('FILETIME: 100 ns ticks since 1601', () => {
    expect(fileTimeFromMs(0)).toBe(116444736000000000n);
    expect(fileTimeBytes(1n)).toEqual(hex('0100000000000000'));
  });
});
