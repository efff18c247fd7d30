// The fast Storage writer: binary files of any size arrive byte-exact and verified chunk by chunk,
// read back the same, and a backup that does not verify keeps the main file from being touched.
import { randomBytes } from 'node:crypto';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { createConsoleClient, type ConsoleClient } from '../../tools/device/console-client';
import { openTcpTransport } from '../../tools/device/tcp-transport';
import { createStorageWriter, readStorageFile, storageFileCrc } from '../../tools/device/storage-writer';
import { crc32 } from '../../tools/device/crc32';
import { isUserError } from '../../tools/shared/errors';

let sim: RunningSimulator;
let client: ConsoleClient;
beforeAll(async () => {
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266' });
  client = createConsoleClient(await openTcpTransport(`tcp://127.0.0.1:${sim.port}`));
  await client.sync();
});
afterAll(async () => {
  await client.close();
  await sim.close();
});

test.each([1, 2, 3, 1535, 1536, 1537, 5000])('a %i-byte binary file arrives byte-exact, verified chunk by chunk', async (size) => {
  const writer = createStorageWriter(client);
  writer.install();
  const data = randomBytes(size);
  const progress: number[] = [];
  await writer.write(`bin${size}`, data, (n) => progress.push(n));
  expect(sim.device.storage.read(`bin${size}`)).toEqual(data);
  expect(progress.reduce((a, b) => a + b, 0)).toBe(size);
  expect(progress.length).toBe(Math.ceil(size / 1536));
  expect(await readStorageFile(client, `bin${size}`)).toEqual(data);
  expect(await storageFileCrc(client, `bin${size}`)).toEqual({ length: size, crc: crc32(data) });
});

test('reading a file back shows none of its bytes on the device console (one-time pad per slice)', async () => {
  const secret = Buffer.from('{"wifi":{"password":"correct-horse-battery-staple"},"gateway":{"secret":"' + 'ab'.repeat(32) + '"}}'.repeat(12));
  sim.device.storage.write('secret.json', secret);
  let terminal = '';
  const off = sim.device.onTerminal((t) => (terminal += t));
  const again: Buffer[] = [];
  for (let i = 0; i < 2; i++) again.push((await readStorageFile(client, 'secret.json'))!);
  off();
  expect(again).toEqual([secret, secret]);
  expect(terminal.length).toBeGreaterThan(secret.length); // the masked slices did pass through
  const decoded = (terminal.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).map((b) => Buffer.from(b, 'base64').toString('latin1')).join('\n');
  for (const text of [terminal, decoded]) {
    expect(text).not.toContain('correct-horse');
    expect(text).not.toContain('abababababababab');
  }
  expect(terminal).not.toContain(secret.subarray(0, 48).toString('base64'));
});

test('a missing file reads back as undefined', async () => {
  expect(await readStorageFile(client, 'nope.der')).toBeUndefined();
  expect(await storageFileCrc(client, 'nope.der')).toBeUndefined();
});

test('small files travel several to a line, each verified, and the wire carries about 4/3 of them', async () => {
  const writer = createStorageWriter(client, { lineChars: 3072 });
  writer.install();
  const files = [700, 600, 500, 2000, 10].map((n, i) => ({ name: `pack${i}`, data: randomBytes(n) }));
  const before = client.stats.bytesOut;
  await writer.writeFiles(files);
  for (const f of files) expect(sim.device.storage.read(f.name)).toEqual(f.data);
  const payload = files.reduce((n, f) => n + f.data.length, 0);
  expect(client.stats.bytesOut - before).toBeLessThan(payload * 1.4);
});

test('config.bak and config.json get the same verified bytes from one transfer', async () => {
  const writer = createStorageWriter(client);
  writer.install();
  const data = Buffer.from(JSON.stringify({ thing: 'w1', wifi: { ssid: 'é-net' } }), 'utf8');
  const before = client.stats.bytesOut;
  await writer.writeBackupThenMain('c.bak', 'c.json', data);
  expect(sim.device.storage.read('c.bak')).toEqual(data);
  expect(sim.device.storage.read('c.json')).toEqual(data);
  expect(client.stats.bytesOut - before).toBeLessThan(data.length * 1.34 + 120);
});

test('a backup that does not verify leaves the main file untouched and fails with a verify error', async () => {
  sim.device.storage.write('m.json', 'old');
  // A device whose flash corrupts the backup: W writes a changed byte for m.bak, and reads it back.
  client.send('function W(n,d,o,t){var S=require("Storage");if(n=="m.bak")d="X"+d.slice(1);S.write(n,d,o,t);var l=o+d.length,c=E.CRC32(S.read(n,0,l));print("\\x02~"+l+":"+c+"\\x03");return c}');
  const writer = createStorageWriter(client);
  let err: unknown;
  try {
    await writer.writeBackupThenMain('m.bak', 'm.json', Buffer.from('{"thing":"new"}'));
  } catch (e) {
    err = e;
  }
  expect(isUserError(err) && err.anchor).toBe('storage-verify-failed');
  expect((err as Error).message).toMatch(/m\.bak/);
  expect(sim.device.storage.read('m.json')?.toString()).toBe('old');
});

test('a chunk the device stores differently is caught by its CRC', async () => {
  // W that flips the last byte of what it writes.
  client.send('function W(n,d,o,t){var S=require("Storage");d=d.slice(0,-1)+"~";S.write(n,d,o,t);var l=o+d.length;print("\\x02~"+l+":"+E.CRC32(S.read(n,0,l))+"\\x03")}');
  const writer = createStorageWriter(client);
  let err: unknown;
  try {
    await writer.write('bad.bin', Buffer.from('hello world'));
  } catch (e) {
    err = e;
  }
  expect(isUserError(err) && err.anchor).toBe('storage-verify-failed');
});
