// The fault-injection proxy does exactly what it is told: a cut or reset at a byte offset lets
// the bytes before it through and nothing after; a stall holds bytes back; frame-aimed faults land
// where asked, e.g. between a PUBLISH reaching the broker and its PUBACK reaching the client.
import net from 'node:net';
import Aedes from 'aedes';
import mqtt from 'mqtt';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy/fault-proxy';
import { createFramer } from '../support/fault-proxy/frames';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A server that keeps what each connection sent and answers with `reply` on connect. */
async function recorder(reply = Buffer.alloc(0)) {
  const got: Buffer[] = [];
  const events: string[] = [];
  const socks: net.Socket[] = [];
  const srv = net.createServer((s) => {
    socks.push(s);
    const i = got.push(Buffer.alloc(0)) - 1;
    s.on('data', (d) => (got[i] = Buffer.concat([got[i], d])));
    s.on('end', () => events.push(`end ${i}`));
    s.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${i} ${e.code}`));
    s.on('close', () => events.push(`close ${i}`));
    if (reply.length) s.write(reply);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      srv.close(() => r());
    });
  cleanups.push(close);
  return { port, got, events, socks };
}

function client(port: number) {
  const c = net.connect({ host: '127.0.0.1', port });
  const events: string[] = [];
  let data = Buffer.alloc(0);
  c.on('data', (d) => (data = Buffer.concat([data, d])));
  c.on('end', () => events.push('end'));
  c.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
  c.on('close', () => events.push('close'));
  cleanups.push(() => c.destroy());
  return { c, events, data: () => data, opened: new Promise<void>((r) => c.once('connect', () => r())) };
}

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i & 255));

// Everything a test opens is closed here, also when it fails, so jest never hangs on a socket.
const proxies: FaultProxy[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const c of cleanups.splice(0)) await c();
});
async function proxyTo(port: number, faults: Fault[], framing: 'mqtt' | 'none' = 'none') {
  const p = await startFaultProxy({ target: { port }, framing, plan: (n) => (n === 0 ? faults : undefined) });
  proxies.push(p);
  return p;
}

test('a cut at byte 37 lets exactly 37 bytes through, then both sides see a clean close', async () => {
  const srv = await recorder();
  const p = await proxyTo(srv.port, [{ dir: 'up', at: 37, action: 'cut' }]);
  const cl = client(p.port);
  await cl.opened;
  cl.c.write(bytes(100));
  await until(() => cl.events.includes('close') && srv.events.includes('close 0'), 'both closed');
  expect(srv.got[0]).toEqual(bytes(37));
  expect(cl.events).toContain('end');
  expect(cl.events.some((e) => e.startsWith('error'))).toBe(false);
  expect(p.fired).toEqual([expect.objectContaining({ conn: 0, offset: 37 })]);
});

test('a reset mid-stream gives ECONNRESET to the client, and the bytes after it never arrive', async () => {
  const srv = await recorder(bytes(50));
  const p = await proxyTo(srv.port, [{ dir: 'down', at: 20, action: 'reset' }]);
  const cl = client(p.port);
  await until(() => cl.events.includes('close'), 'client closed');
  expect(cl.events).toContain('error ECONNRESET');
  expect(cl.data().length).toBeLessThanOrEqual(20);
  expect(cl.data()).toEqual(bytes(50).subarray(0, cl.data().length));
});

test('a stall holds bytes back and then lets them all through, in order', async () => {
  const srv = await recorder();
  const p = await proxyTo(srv.port, [{ dir: 'up', at: 10, action: 'stall', ms: 200 }]);
  const cl = client(p.port);
  await cl.opened;
  cl.c.write(bytes(30));
  await until(() => srv.got[0]?.length === 10, 'the first 10 bytes');
  cl.c.write(bytes(30).subarray(0, 5));
  await until(() => srv.got[0].length === 35, 'every byte after the stall');
  expect(srv.got[0]).toEqual(Buffer.concat([bytes(30), bytes(5)]));
});

test('an endless stall is a black hole: nothing more arrives that way, while the other way still works', async () => {
  const srv = await recorder();
  const p = await proxyTo(srv.port, [{ dir: 'up', at: 4, action: 'stall', ms: Infinity }]);
  const cl = client(p.port);
  await cl.opened;
  cl.c.write(bytes(10));
  await until(() => srv.got[0]?.length === 4, 'the bytes before the stall');
  // Only one direction is stalled: the server still reaches the client.
  srv.socks[0].write('pong');
  await until(() => cl.data().toString() === 'pong', 'the answer');
  expect(srv.got[0].length).toBe(4);
  p.breakAll('cut');
  await until(() => cl.events.includes('close'), 'client closed');
});

test('a delay keeps every byte and their order', async () => {
  const srv = await recorder();
  const p = await proxyTo(srv.port, [{ dir: 'up', at: 0, action: 'delay', ms: 30 }]);
  const cl = client(p.port);
  await cl.opened;
  for (let i = 0; i < 10; i++) cl.c.write(bytes(7 * i + 1));
  const want = Buffer.concat(Array.from({ length: 10 }, (_, i) => bytes(7 * i + 1)));
  await until(() => srv.got[0]?.length === want.length, 'all delayed bytes');
  expect(srv.got[0]).toEqual(want);
});

describe('aimed at MQTT packets', () => {
  let aedes: Aedes;
  let broker: net.Server;
  let port: number;
  beforeAll(async () => {
    aedes = new Aedes();
    broker = net.createServer((s) => aedes.handle(s));
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', () => r()));
    port = (broker.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => broker.close(() => r()));
  });

  async function watcher() {
    const w = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `w${Math.random()}`, reconnectPeriod: 0 });
    const seen: string[] = [];
    w.on('message', (_t, m) => seen.push(m.toString()));
    await w.subscribeAsync('t/#', { qos: 1 });
    return { w, seen };
  }

  test('a cut right before the first PUBACK: the broker has the PUBLISH, the client never gets its ack', async () => {
    const { w, seen } = await watcher();
    const p = await proxyTo(port, [{ dir: 'down', frame: { type: 4, nth: 1, offset: 0 }, action: 'cut' }], 'mqtt');
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${p.port}`, { clientId: 'pub-1', reconnectPeriod: 0 });
    let acked = false;
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('t/a', 'hello', { qos: 1 }, (err) => (acked = !err));
    await closed;
    await until(() => seen.includes('hello'), 'the watcher to get the message');
    expect(acked).toBe(false);
    expect(p.fired[0].landed).toEqual({ type: 4, into: 0, length: 4 });
    c.end(true);
    await w.endAsync();
  });

  test('a cut 5 bytes into a PUBLISH: the broker never delivers the torn packet', async () => {
    const { w, seen } = await watcher();
    const p = await proxyTo(port, [{ dir: 'up', frame: { type: 3, nth: 1, offset: 5 }, action: 'cut' }], 'mqtt');
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${p.port}`, { clientId: 'pub-2', reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('t/b', 'torn', { qos: 1 });
    await closed;
    // Anything delivered would come before this marker from a clean client.
    const m = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'marker', reconnectPeriod: 0 });
    await m.publishAsync('t/m', 'marker', { qos: 1 });
    await until(() => seen.includes('marker'), 'the marker');
    expect(seen).not.toContain('torn');
    expect(p.fired[0].landed).toMatchObject({ type: 3, into: 5 });
    c.end(true);
    await m.endAsync();
    await w.endAsync();
  });
});

describe('framing', () => {
  const connack = Buffer.from([0x20, 2, 0, 0]);
  const publish = Buffer.from([0x32, 0x83, 0x01, ...bytes(131)]); // Remaining Length 131 in two bytes
  const puback = Buffer.from([0x40, 2, 0, 1]);
  const stream = Buffer.concat([connack, publish, puback]);

  test('MQTT packets are found at every way of splitting the stream in two', () => {
    for (let k = 0; k <= stream.length; k++) {
      const f = createFramer('mqtt');
      const got = [...f.feed(stream.subarray(0, k)), ...f.feed(stream.subarray(k))].map((x) => [x.start, x.type]);
      expect(got).toEqual([[0, 2], [4, 3], [138, 4]]);
      expect(f.locate(5)).toEqual({ start: 4, type: 3, length: 134 });
      expect(f.locate(stream.length)).toBeUndefined();
    }
  });

  test('TLS records are found by their 5-byte header', () => {
    const rec = (type: number, n: number) => Buffer.concat([Buffer.from([type, 3, 3, n >> 8, n & 255]), bytes(n)]);
    const f = createFramer('tls');
    const got = f.feed(Buffer.concat([rec(22, 300), rec(20, 1), rec(23, 40)]));
    expect(got.map((x) => [x.start, x.type, x.length])).toEqual([[0, 22, 305], [305, 20, 6], [311, 23, 45]]);
  });
});
