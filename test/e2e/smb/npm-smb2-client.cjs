// Drives the classic npm `smb2` client (0.2.11) for test/e2e/smb/npm-smb2.test.ts. It runs in
// its own node with --openssl-legacy-provider: the client's NTLMv1 needs DES and MD4, which
// OpenSSL 3 only has in its legacy provider. One JSON line per step goes to stdout.
// argv: port user password
'use strict';
const SMB2 = require('smb2');

const [port, username, password] = process.argv.slice(2);
const client = new SMB2({
  share: '\\\\127.0.0.1\\share',
  domain: 'WORKGROUP',
  username,
  password,
  port: Number(port),
  autoCloseTimeout: 0,
});

/** The payload written and read back: 300,000 bytes, so several 65,423-byte WRITEs are in flight. */
function payload() {
  const b = Buffer.alloc(300000);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

const call = (fn, ...args) =>
  new Promise((resolve, reject) => fn.call(client, ...args, (err, v) => (err ? reject(err) : resolve(v))));

async function main() {
  const step = (name, value) => console.log(JSON.stringify({ step: name, value }));
  await call(client.mkdir, 'npmdir');
  step('mkdir', true);
  const data = payload();
  await call(client.writeFile, 'npmdir\\hello.bin', data);
  step('writeFile', data.length);
  const back = await call(client.readFile, 'npmdir\\hello.bin');
  step('readFile', { length: back.length, same: Buffer.compare(back, data) === 0 });
  step('readdir', (await call(client.readdir, 'npmdir')).sort());
  step('readSeed', (await call(client.readFile, 'seed.txt')).toString('utf8'));
  await call(client.rename, 'npmdir\\hello.bin', 'npmdir\\renamed.bin');
  step('rename', true);
  step('exists', {
    old: await call(client.exists, 'npmdir\\hello.bin'),
    new: await call(client.exists, 'npmdir\\renamed.bin'),
  });
  await call(client.unlink, 'doomed.txt');
  step('unlink', true);
  // rmdir: the client opens the folder asking only for read access (0x00100081), then sets
  // FileDispositionInformation, which needs DELETE access (MS-FSA 2.1.5.14.3): a conformant
  // server refuses it. Reported, not thrown, so the test can check the refusal.
  await call(client.mkdir, 'emptydir');
  const rmdir = await call(client.rmdir, 'emptydir').then(
    () => 'ok',
    (err) => err?.code || String(err),
  );
  step('rmdir', { result: rmdir, stillThere: await call(client.exists, 'emptydir') });
}

main().then(
  () => {
    client.close();
    process.exit(0);
  },
  (err) => {
    console.log(JSON.stringify({ error: String(err?.stack || err?.message || err), code: err?.code }));
    client.close();
    process.exit(1);
  },
);
