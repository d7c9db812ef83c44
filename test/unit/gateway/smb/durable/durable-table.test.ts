/**
 * The durable-open table (gateway/smb/durable/durable-table.ts) and the durable create
 * contexts (durable-contexts.ts): what is kept after a disconnect, for how long, and what a
 * DHnQ/DH2Q/DHnC/DH2C request reads as (MS-SMB2 §2.2.13.2.3-4, .11-12, §3.3.5.9.6-.12).
 */
import {
  DEFAULT_DURABLE_TIMEOUT_MS,
  durableResponseContext,
  MAX_DURABLE_TIMEOUT_MS,
  parseDurableContexts,
} from '../../../../../gateway/smb/durable/durable-contexts';
import { DurableTable } from '../../../../../gateway/smb/durable/durable-table';
import { NtStatus, SmbError } from '../../../../../gateway/smb/ntstatus';
import type { Open } from '../../../../../gateway/smb/open-table';

const openWithId = (id: bigint): Open => ({ fileId: { persistent: id, volatile: id } }) as unknown as Open;
const v1 = { version: 1 as const, timeoutMs: 1000, createGuid: Buffer.alloc(16) };

describe('DurableTable', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps a granted open after its connection goes, found by FileId.Persistent', () => {
    const t = new DurableTable();
    const o = openWithId(7n);
    t.grant(o, v1);
    const expire = jest.fn();
    expect(t.disconnect(o, expire)).toBe(true);
    expect(t.isDisconnected(o)).toBe(true);
    expect(t.findDisconnected(7n)).toBe(o);
    expect(t.findDisconnected(8n)).toBeUndefined();
    expect(expire).not.toHaveBeenCalled();
  });

  it('does not keep an open never granted durability', () => {
    const t = new DurableTable();
    const o = openWithId(1n);
    expect(t.disconnect(o, jest.fn())).toBe(false);
    expect(t.findDisconnected(1n)).toBeUndefined();
  });

  it('ends a kept open when its timeout passes, and only then', () => {
    const t = new DurableTable();
    const o = openWithId(2n);
    t.grant(o, v1);
    const expire = jest.fn();
    t.disconnect(o, expire);
    jest.advanceTimersByTime(999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledWith(o);
    expect(t.findDisconnected(2n)).toBeUndefined();
    expect(t.grantOf(o)).toBeUndefined();
  });

  it('a reclaimed open stays durable, no longer disconnected, and its timer stops', () => {
    const t = new DurableTable();
    const o = openWithId(3n);
    t.grant(o, v1);
    const expire = jest.fn();
    t.disconnect(o, expire);
    t.reclaim(o);
    expect(t.isDisconnected(o)).toBe(false);
    expect(t.findDisconnected(3n)).toBeUndefined();
    jest.advanceTimersByTime(5000);
    expect(expire).not.toHaveBeenCalled();
    expect(t.grantOf(o)).toEqual(v1);
    // It may be kept again after a later disconnect (reopen2 reconnects three times).
    expect(t.disconnect(o, expire)).toBe(true);
    expect(t.disconnectedCount).toBe(1);
  });

  it('a forgotten (closed or broken) open is neither kept nor expired later', () => {
    const t = new DurableTable();
    const o = openWithId(4n);
    t.grant(o, v1);
    const expire = jest.fn();
    t.disconnect(o, expire);
    t.forget(o);
    jest.advanceTimersByTime(5000);
    expect(expire).not.toHaveBeenCalled();
    expect(t.disconnectedCount).toBe(0);
    expect(t.disconnect(o, expire)).toBe(false);
  });
});

describe('DurableTable v2 CreateGuid index', () => {
  it('finds a v2 open by ClientGuid + CreateGuid until it is forgotten', () => {
    const t = new DurableTable();
    const o = openWithId(5n);
    const client = Buffer.alloc(16, 0xaa);
    const guid = Buffer.alloc(16, 0x01);
    t.grant(o, { version: 2, timeoutMs: 1000, createGuid: guid, clientGuid: client });
    expect(t.findByCreateGuid(client, guid)).toBe(o);
    expect(t.findByCreateGuid(Buffer.alloc(16, 0xbb), guid)).toBeUndefined();
    expect(t.findByCreateGuid(client, Buffer.alloc(16, 0x02))).toBeUndefined();
    t.forget(o);
    expect(t.findByCreateGuid(client, guid)).toBeUndefined();
  });

  it('does not index v1 opens (their CreateGuid is all zeros)', () => {
    const t = new DurableTable();
    const client = Buffer.alloc(16, 0xaa);
    t.grant(openWithId(6n), { ...v1, clientGuid: client });
    expect(t.findByCreateGuid(client, Buffer.alloc(16))).toBeUndefined();
  });
});

describe('parseDurableContexts', () => {
  const ctx = (entries: [string, Buffer][]) => new Map(entries);
  const dh2q = (timeout: number, guidByte: number) => {
    const d = Buffer.alloc(32);
    d.writeUInt32LE(timeout, 0);
    d.fill(guidByte, 16, 32);
    return d;
  };
  const fileId = (p: bigint) => {
    const d = Buffer.alloc(16);
    d.writeBigUInt64LE(p, 0);
    d.writeBigUInt64LE(p, 8);
    return d;
  };
  const status = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof SmbError ? e.status : -1;
    }
    return 0;
  };

  it('reads DHnQ as a v1 request with the 60 s timeout', () => {
    expect(parseDurableContexts(ctx([['DHnQ', Buffer.alloc(16)]]), false)).toMatchObject({
      kind: 'request',
      version: 1,
      timeoutMs: DEFAULT_DURABLE_TIMEOUT_MS,
    });
  });

  it('reads DH2Q on 3.x only, its timeout capped and 0 meaning the default', () => {
    expect(parseDurableContexts(ctx([['DH2Q', dh2q(0, 1)]]), false)).toEqual({ kind: 'none' });
    const r = parseDurableContexts(ctx([['DH2Q', dh2q(0, 1)]]), true);
    expect(r).toMatchObject({ kind: 'request', version: 2, timeoutMs: DEFAULT_DURABLE_TIMEOUT_MS });
    expect(r.kind === 'request' && r.createGuid.equals(Buffer.alloc(16, 1))).toBe(true);
    expect(parseDurableContexts(ctx([['DH2Q', dh2q(10_000_000, 1)]]), true)).toMatchObject({
      timeoutMs: MAX_DURABLE_TIMEOUT_MS,
    });
    expect(parseDurableContexts(ctx([['DH2Q', dh2q(5000, 1)]]), true)).toMatchObject({ timeoutMs: 5000 });
  });

  it('reads DHnC as a reconnect, a DHnQ beside it ignored', () => {
    expect(
      parseDurableContexts(
        ctx([
          ['DHnC', fileId(42n)],
          ['DHnQ', Buffer.alloc(16)],
        ]),
        false,
      ),
    ).toMatchObject({ kind: 'reconnect', version: 1, persistent: 42n });
  });

  it('reads DH2C with its CreateGuid', () => {
    const d = Buffer.concat([fileId(9n), Buffer.alloc(16, 2), Buffer.alloc(4)]);
    const r = parseDurableContexts(ctx([['DH2C', d]]), true);
    expect(r).toMatchObject({ kind: 'reconnect', version: 2, persistent: 9n });
    expect(r.kind === 'reconnect' && r.createGuid.equals(Buffer.alloc(16, 2))).toBe(true);
  });

  it('refuses forbidden combinations and short contexts with INVALID_PARAMETER', () => {
    const bad = NtStatus.STATUS_INVALID_PARAMETER;
    expect(
      status(() =>
        parseDurableContexts(
          ctx([
            ['DH2Q', dh2q(0, 1)],
            ['DHnQ', Buffer.alloc(16)],
          ]),
          true,
        ),
      ),
    ).toBe(bad);
    expect(status(() => parseDurableContexts(ctx([['DHnC', Buffer.alloc(8)]]), false))).toBe(bad);
    expect(status(() => parseDurableContexts(ctx([['DH2Q', Buffer.alloc(16)]]), true))).toBe(bad);
  });

  it('answers DHnQ with 8 reserved bytes and DH2Q with the timeout granted', () => {
    expect(durableResponseContext(1, 60_000)).toEqual({ name: 'DHnQ', data: Buffer.alloc(8) });
    const r = durableResponseContext(2, 5000);
    expect(r.name).toBe('DH2Q');
    expect(r.data.readUInt32LE(0)).toBe(5000);
    expect(r.data.readUInt32LE(4)).toBe(0);
  });
});
