/**
 * Oplocks and leases as real clients see them (MS-SMB2 §3.3.5.9, §3.3.4.6/7, §3.3.5.22), over
 * real sockets: the raw SMB2 test client holds the caching, and the break comes from a second
 * SMB client (the conflicting CREATE goes async until the holder acknowledges) or from a write
 * through NFS by a real libnfs client — the upcall path: NFS write → core → SMB lease feed →
 * Lease Break Notification. A client's own write breaks nothing of its own.
 */
import { defaultIdentity, startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';
import { Cmd, loggedOn, readBody, Smb2TestClient, writeBody } from '../helpers/smb2-client';
import {
  cachingCreateBody,
  grantedLease,
  LeaseState,
  leaseAck,
  OPLOCK_BREAK,
  OplockLevel,
  parseLeaseBreak,
  RWH,
} from '../helpers/smb2-lease';

jest.setTimeout(60_000);

const STATUS_PENDING = 0x103;
const ASYNC_FLAG = 0x2;
const ACK_REQUIRED = 0x1;
const R = LeaseState.R;
const H = LeaseState.H;
const key = (n: number) => Buffer.alloc(16, n);
const fileIdOf = (body: Buffer) => Buffer.from(body.subarray(64, 80));

describePeer('SMB oplock and lease breaks', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let head: TestHead;
  let nfs: LibnfsTool;
  const clients: Smb2TestClient[] = [];
  const client = async () => {
    const c = await loggedOn(head.head.smb!.port, [0x0300]);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const me = defaultIdentity();
    head = await startTestHead({
      smbPort: 0,
      smbUsers: [{ user: 'alice', password: 'secret', uid: me.uid, gid: me.gid }],
      upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
    });
    nfs = libnfsTool(head.url);
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    await head?.close();
  });

  test('NEGOTIATE advertises SMB2_GLOBAL_CAP_LEASING', async () => {
    const c = await client();
    const r = await c.send(Cmd.ECHO, Buffer.from([4, 0, 0, 0]));
    expect(r.status).toBe(0);
    // loggedOn negotiated already; negotiate again on a fresh connection to read the capabilities.
    const raw = await Smb2TestClient.connect(head.head.smb!.port);
    clients.push(raw);
    const n = await raw.negotiate([0x0210, 0x0300]);
    expect(n.body.readUInt32LE(24) & 0x2).toBe(0x2);
  });

  test('a second SMB open breaks an RWH lease to RH; its CREATE goes async until the ack', async () => {
    const a = await client();
    const b = await client();
    const held = await a.send(
      Cmd.CREATE,
      cachingCreateBody('contended.txt', OplockLevel.LEASE, { key: key(1), state: RWH }),
    );
    expect(held.status).toBe(0);
    expect(held.body[2]).toBe(OplockLevel.LEASE);
    expect(grantedLease(held)?.state).toBe(RWH);

    const interim = await b.send(Cmd.CREATE, cachingCreateBody('contended.txt', OplockLevel.NONE));
    expect(interim.status).toBe(STATUS_PENDING);
    expect(interim.flags & ASYNC_FLAG).toBe(ASYNC_FLAG);

    const brk = parseLeaseBreak((await a.nextFrame())!);
    expect(brk.messageId).toBe(0xffffffffffffffffn);
    expect(brk.key).toEqual(key(1));
    expect(brk).toMatchObject({ current: RWH, next: R | H, flags: ACK_REQUIRED });
    const ack = await leaseAck(a, key(1), R | H);
    expect(ack.status).toBe(0);
    expect(ack.body.readUInt32LE(24)).toBe(R | H);

    const final = (await b.nextFrame())!;
    expect(final.readUInt16LE(12)).toBe(Cmd.CREATE);
    expect(final.readUInt32LE(8)).toBe(0);
    expect(final.readBigUInt64LE(32)).toBe(interim.raw.readBigUInt64LE(32)); // same AsyncId
  });

  test('a write through NFS breaks the SMB client’s RWH lease, and SMB then reads the new bytes', async () => {
    const a = await client();
    const held = await a.send(
      Cmd.CREATE,
      cachingCreateBody('nfs-written.txt', OplockLevel.LEASE, { key: key(2), state: RWH }),
    );
    expect(grantedLease(held)?.state).toBe(RWH);
    const fid = fileIdOf(held.body);
    // The holder's own write through its leased handle breaks nothing of its own.
    expect((await a.send(Cmd.WRITE, writeBody(fid, Buffer.from('written by smb')))).status).toBe(0);
    // (A break would come before the answer to this ECHO.)
    await new Promise((r) => setTimeout(r, 300));
    expect((await a.send(Cmd.ECHO, Buffer.from([4, 0, 0, 0]))).command).toBe(Cmd.ECHO);

    await nfs.write('/nfs-written.txt', 0, 'changed through NFS', true);
    const brk = parseLeaseBreak((await a.nextFrame(5000))!);
    expect(brk.key).toEqual(key(2));
    expect(brk.current).toBe(RWH);
    expect(brk.next & (R | LeaseState.W)).toBe(0); // cached data and write-behind go
    expect(brk.flags & ACK_REQUIRED).toBe(ACK_REQUIRED);
    expect((await leaseAck(a, key(2), brk.next)).status).toBe(0);

    const rd = await a.send(Cmd.READ, readBody(fid, 64));
    expect(rd.status).toBe(0);
    const at = rd.body[2]!;
    expect(rd.raw.subarray(at, at + rd.body.readUInt32LE(4)).toString()).toBe('changed through NFS');
  });

  test('a write through NFS breaks a batch oplock to none', async () => {
    const c = await client();
    const held = await c.send(Cmd.CREATE, cachingCreateBody('batch.txt', OplockLevel.BATCH));
    expect(held.body[2]).toBe(OplockLevel.BATCH);
    await nfs.write('/batch.txt', 0, 'nfs', true);
    const f = (await c.nextFrame(5000))!;
    expect(f.readUInt16LE(12)).toBe(OPLOCK_BREAK);
    expect(f.readUInt16LE(64)).toBe(24);
    expect(f[66]).toBe(OplockLevel.NONE);
    expect(Buffer.from(f.subarray(72, 88))).toEqual(fileIdOf(held.body));
    const ackBody = Buffer.alloc(24);
    ackBody.writeUInt16LE(24, 0);
    fileIdOf(held.body).copy(ackBody, 8);
    const ack = await c.send(OPLOCK_BREAK, ackBody);
    expect(ack.status).toBe(0);
    expect(ack.body[2]).toBe(OplockLevel.NONE);
  });
});
