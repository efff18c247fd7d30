// The simulator's ESP8266 speeds (timing.ts): off by default, so tests run at host speed; when on,
// a flash write is charged per 256-byte page it touches and per 4 KB sector erased, and the link
// delivers in order. It checks the accounting and the order, never how long anything took.
import net from 'node:net';
import { createFlashImage } from '../../tools/simulator/flash-image';
import { createLifetime } from '../../tools/simulator/lifetime';
import { createLinkDirection } from '../../tools/simulator/link-speed';
import { defaultTiming, esp8266Speeds } from '../../tools/simulator/timing';
import { makeDevice, waitFor } from './helpers';

test('flash and link speeds are off by default, and the ESP8266 figures are the datasheet typicals and 115200 baud', async () => {
  expect([defaultTiming.flashPageProgramMs, defaultTiming.flashSectorEraseMs, defaultTiming.linkBytesPerSecond]).toEqual([0, 0, 0]);
  expect(esp8266Speeds).toEqual({ flashPageProgramMs: 0.7, flashSectorEraseMs: 45, linkBytesPerSecond: 11520 });
  const t = makeDevice();
  t.device.storage.write('f', Buffer.alloc(5000, 0x41));
  expect(t.device.storage.wear().busyMs).toBe(0);
  await t.device.close();
});

test('a write costs one page program per 256-byte page it touches; an erase one sector erase', () => {
  const flash = createFlashImage(8 * 4096, 4096, undefined, { pageProgramMs: 0.5, sectorEraseMs: 2 });
  flash.program(0, Buffer.alloc(256, 0)); // exactly one page
  expect(flash.stats().busyMs).toBeCloseTo(0.5);
  flash.program(300, Buffer.alloc(300, 0)); // bytes 300..599: pages 1 and 2
  expect(flash.stats().busyMs).toBeCloseTo(1.5);
  flash.program(700, Buffer.alloc(1, 0)); // one byte still programs a page
  expect(flash.stats().busyMs).toBeCloseTo(2);
  flash.erasePage(4096);
  expect(flash.stats().busyMs).toBeCloseTo(4);
});

test('a device with flash speeds on is charged for what its Storage writes', async () => {
  const t = makeDevice({ timing: { flashPageProgramMs: 0.01, flashSectorEraseMs: 0.01 } });
  t.device.boot();
  t.device.evaluate('require("Storage").write("f", "x".repeat(1000))');
  // 1000 bytes span at least 4 pages, plus the file header
  expect(t.device.storage.wear().busyMs).toBeGreaterThanOrEqual(0.04);
  await t.device.close();
});

test('a slow link delivers everything in the order it was passed, at once when unthrottled', async () => {
  const life = createLifetime();
  const got: number[] = [];
  const fast = createLinkDirection(0, life);
  fast.pass(100, () => got.push(0));
  expect(got).toEqual([0]); // unthrottled: synchronous, exactly as without the model
  const slow = createLinkDirection(100000, life);
  for (let i = 1; i <= 20; i++) slow.pass(i % 3 === 0 ? 0 : 37 * i, () => got.push(i));
  expect(got).toEqual([0]);
  await waitFor(() => got.length === 21, 'every delivery');
  expect(got).toEqual(Array.from({ length: 21 }, (_, i) => i));
  life.kill();
});

test('a device with a slow link still exchanges bytes in order with a host socket', async () => {
  const received: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on('data', (d) => {
      received.push(d);
      s.write(d); // echo
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const t = makeDevice({ timing: { linkBytesPerSecond: 200000 } });
  try {
    t.device.boot();
    t.device.evaluate(`var E2 = ""; require("Wifi").connect("sim-ap", { password: "sim-pass" }, function () {
      var c = require("net").connect({ host: "127.0.0.1", port: ${port} }, function () { for (var i = 0; i < 50; i++) c.write(i + ","); });
      c.on("data", function (d) { E2 += d; });
    });`);
    const want = Array.from({ length: 50 }, (_, i) => `${i},`).join('');
    await waitFor(() => t.device.evaluate('E2') === want, 'the echo, in order', 15000);
    expect(Buffer.concat(received).toString()).toBe(want);
  } finally {
    await t.device.close();
    await new Promise((r) => server.close(r));
  }
});
