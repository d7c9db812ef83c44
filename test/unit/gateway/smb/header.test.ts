import {
  decodeHeader,
  encodeResponseHeader,
  HeaderError,
  SMB2_HEADER_SIZE,
  Smb2Command,
  Smb2Flags,
} from '../../../../gateway/smb/header';

const fields = {
  creditCharge: 3,
  status: 0xc0000022,
  command: Smb2Command.READ,
  credits: 17,
  flags: Smb2Flags.RELATED_OPERATIONS,
  nextCommand: 0,
  messageId: 0x0102030405060708n,
  processId: 0xfeff,
  treeId: 9,
  sessionId: 0xaabbccddeeff0011n,
};

describe('SMB2 header (MS-SMB2 §2.2.1)', () => {
  test('a sync response header round-trips, SERVER_TO_REDIR always set, SIGNED never', () => {
    const b = Buffer.alloc(SMB2_HEADER_SIZE);
    encodeResponseHeader({ ...fields, flags: fields.flags | Smb2Flags.SIGNED }, b);
    const h = decodeHeader(b);
    expect(h).toMatchObject({ ...fields, flags: Smb2Flags.RELATED_OPERATIONS | Smb2Flags.SERVER_TO_REDIR });
    expect(h.asyncId).toBeUndefined();
    expect(b.subarray(0, 4)).toEqual(Buffer.from([0xfe, 0x53, 0x4d, 0x42]));
  });

  test('the async form carries AsyncId where ProcessId and TreeId were (§2.2.1.1)', () => {
    const b = Buffer.alloc(SMB2_HEADER_SIZE);
    encodeResponseHeader({ ...fields, asyncId: 0x77n }, b);
    const h = decodeHeader(b);
    expect(h.flags & Smb2Flags.ASYNC_COMMAND).toBeTruthy();
    expect(h.asyncId).toBe(0x77n);
    expect(h.treeId).toBe(0);
  });

  test('short buffers, foreign protocol ids and a StructureSize other than 64 are refused', () => {
    const b = Buffer.alloc(SMB2_HEADER_SIZE);
    encodeResponseHeader(fields, b);
    expect(() => decodeHeader(b.subarray(0, 63))).toThrow(HeaderError);
    const smb1 = Buffer.from(b);
    smb1[0] = 0xff;
    expect(() => decodeHeader(smb1)).toThrow(/ProtocolId/);
    const bad = Buffer.from(b);
    bad.writeUInt16LE(65, 4);
    expect(() => decodeHeader(bad)).toThrow(/StructureSize/);
  });

  test('a header inside a larger buffer is read at its offset', () => {
    const b = Buffer.alloc(8 + SMB2_HEADER_SIZE);
    encodeResponseHeader(fields, b, 8);
    expect(decodeHeader(b, 8).messageId).toBe(fields.messageId);
  });
});
