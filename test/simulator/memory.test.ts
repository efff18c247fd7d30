// process.memory() is an ESTIMATE of Espruino JsVars (tools/simulator/memory-estimate.ts): it must be
// labelled as one, move the right way as firmware keeps or drops data, and stay cheap enough to call
// from device code under the watchdog while a socket is open.
import net from 'node:net';
import { deviceForEachTest, makeDevice, waitFor, type TestDevice } from './helpers';

const t = deviceForEachTest();

const usage = (): number => t.device.memory().usage;

test('process.memory() is labelled an estimate and an empty boot is near 46 JsVars of 1600 (measured on 2v29)', () => {
  const m = t.device.evaluate('process.memory()') as Record<string, unknown>;
  expect(m).toMatchObject({ total: 1600, estimate: true, blocksize: 12 });
  expect(m.usage).toBeGreaterThanOrEqual(46);
  expect(m.usage).toBeLessThan(60);
  expect((m.free as number) + (m.usage as number)).toBe(1600);
});

test('a 100-character string kept in an array costs about 14 JsVars (docs/espruino.md)', () => {
  t.device.evaluate('var q = [];');
  const before = usage();
  t.device.evaluate('for (var i = 0; i < 70; i++) q.push(new Array(101).join(String.fromCharCode(65 + (i % 26))));');
  const per = (usage() - before) / 70;
  expect(per).toBeGreaterThanOrEqual(13);
  expect(per).toBeLessThanOrEqual(15);
  t.device.evaluate('q = undefined');
  expect(usage()).toBeLessThanOrEqual(before + 1);
});

test('a kept value costs what 2v29 measured: an integer of -1024..1023 lives in its name, 1024, true or a fraction take one more JsVar', () => {
  // On the interpreter: E.getSizeOf({a:1023}) 2, {a:1024} 3, {a:-1025} 3, {a:true} 3, {a:1.5} 3, [true] 2.
  const cost = (v: string) => {
    t.device.evaluate(`var kv = {a:${v}};`);
    const with1 = usage();
    t.device.evaluate('kv = undefined');
    return with1 - usage();
  };
  const small = cost('1023');
  expect(cost('-1024')).toBe(small);
  expect(cost('1024')).toBe(small + 1);
  expect(cost('-1025')).toBe(small + 1);
  expect(cost('true')).toBe(small + 1);
  expect(cost('1.5')).toBe(small + 1);
});

test('variables captured by a closure are counted, once per scope', () => {
  const before = usage();
  t.device.evaluate('function mk() { var big = new Array(201).join("z"); return function () { return big.length; }; } var keep = mk();');
  const withClosure = usage() - before;
  expect(withClosure).toBeGreaterThan(25);
  t.device.evaluate('var also = keep;');
  expect(usage() - before).toBeLessThanOrEqual(withClosure + 1);
});

test('timers and watches held by the board are counted', () => {
  const before = usage();
  t.device.evaluate('setInterval(function () {}, 1000); setWatch(function () {}, D0, true);');
  expect(usage() - before).toBeGreaterThanOrEqual(16);
});

describe('with an open socket', () => {
  let server: net.Server;
  let port: number;
  const peers = new Set<net.Socket>();
  let d: TestDevice;

  beforeEach(async () => {
    server = net.createServer((s) => {
      peers.add(s);
      s.on('close', () => peers.delete(s));
      s.on('error', () => undefined);
      s.on('data', (b) => s.write(b));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    d = makeDevice({ timing: { watchdogMs: 1000, connectMs: 5, dhcpMs: 5 } });
    d.device.boot();
    d.device.evaluate('require("Wifi").connect("sim-ap", {password: "sim-pass"})');
    await waitFor(() => d.device.evaluate('require("Wifi").getStatus().station') === 'connected', 'Wi-Fi');
    d.device.evaluate(`var got = "", up = false;
      function counter(start) { var n = start, label = "counter from " + start; return function () { n++; return label + n; }; }
      var c1 = counter(1), c2 = counter(2), c3 = counter(3);
      var sock = require("net").connect({host: "127.0.0.1", port: ${port}}, function () { up = true; sock.write("ping"); });
      sock.on("data", function (x) { got += x; });`);
    await waitFor(() => d.device.evaluate('got') === 'ping', 'the echo over the socket');
  });
  afterEach(async () => {
    await d.device.close();
    for (const s of peers) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('process.memory() called 20 times from device code never trips a 1 s watchdog', () => {
    const seen: unknown[] = [];
    for (let i = 0; i < 20; i++) seen.push(d.device.evaluate('process.memory().usage'));
    expect(seen.every((u) => typeof u === 'number' && u > 55)).toBe(true);
    expect(d.output()).not.toContain('watchdog');
    expect(d.device.evaluate('up && typeof sock')).toBe('object'); // same session: no reboot
  });

  test('the socket costs a bounded amount: its host side (Node socket, native methods) is not walked', () => {
    const m = d.device.evaluate('process.memory()') as { usage: number; free: number };
    expect(m.usage).toBeLessThan(300);
    expect(m.free).toBeGreaterThan(1300);
  });

  test('the estimate still grows when the program keeps more data or closures', () => {
    const before = d.device.evaluate('process.memory().usage') as number;
    d.device.evaluate('var kept = []; for (var i = 0; i < 20; i++) kept.push(new Array(101).join("k") + i);');
    const withStrings = d.device.evaluate('process.memory().usage') as number;
    expect(withStrings - before).toBeGreaterThanOrEqual(20 * 13);
    d.device.evaluate('var more = []; for (var j = 0; j < 10; j++) more.push(counter(100 + j));');
    expect(d.device.evaluate('process.memory().usage') as number).toBeGreaterThan(withStrings + 30);
  });
});
