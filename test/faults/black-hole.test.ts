// The one fault no socket event reports: the link goes silent (a black hole, as when a NAT or a
// Wi-Fi access point drops state) with the TCP connection still "up". Only the device's keepalive
// can tell. The firmware's MQTT session over a real socket through the fault proxy, with a fake
// clock so the 30 s keepalive and the 30 s ping wait pass at once.
import net from 'node:net';
import Aedes from 'aedes';
import { createMqttClient } from '../../firmware/core/mqtt/client';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy/fault-proxy';
import { createFakeClock } from '../support/fake-clock';
import { connectNodeSocket } from '../support/node-socket';

let aedes: Aedes;
let broker: net.Server;
let proxy: FaultProxy;
const pings: string[] = [];

beforeAll(async () => {
  aedes = new Aedes();
  aedes.on('ping', (_p, c) => pings.push(c.id));
  broker = net.createServer((s) => aedes.handle(s));
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', () => r()));
  // Connection 0: after the 4-byte CONNACK nothing more comes back. Connection 1: clean.
  proxy = await startFaultProxy({
    target: { port: (broker.address() as net.AddressInfo).port },
    framing: 'mqtt',
    plan: (n) => (n === 0 ? [{ dir: 'down', at: 4, action: 'stall', ms: Infinity }] : undefined),
  });
});
afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => aedes.close(() => r()));
  await new Promise<void>((r) => broker.close(() => r()));
});

/** The session over the proxy; resolves once CONNACK is in, with what it reported so far. */
function session(id: string) {
  const clock = createFakeClock();
  const seen: string[] = [];
  // The session's events (one function, type and value); it also answers as an events object.
  const on = Object.assign((type: number, v: unknown) => seen.push(type === 0 ? `end ${v}` : `type ${type}`), {
    connected: () => seen.push('type 2'),
    closed: (why: string) => seen.push(`end ${why}`),
    puback: () => seen.push('type 4'),
  });
  let bytes = '';
  return new Promise<{ clock: ReturnType<typeof createFakeClock>; seen: string[]; bytes: () => string }>((resolve, reject) => {
    const sock = connectNodeSocket(
      { kind: 'tcp', host: '127.0.0.1', port: proxy.port },
      () => {
        sock!.on('data', (d: string) => (bytes += d)); // what reached the device, to wait on
        createMqttClient(sock!, clock, { clientId: id, keepalive: 30, clean: true, maxPacket: 1024 }, on as never);
        const wait = () => (seen.length ? resolve({ clock, seen, bytes: () => bytes }) : setTimeout(wait, 5));
        wait();
      },
      reject,
    );
  });
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
};

test('a link that goes silent after CONNACK is given up after one keepalive and one ping wait', async () => {
  const s = await session('hole-1');
  expect(s.seen).toEqual(['type 2']);
  s.clock.advance(30000); // a keepalive of silence: PINGREQ goes out...
  await until(() => pings.includes('hole-1'), 'the broker got the PINGREQ');
  // ...and the broker answers, but the answer falls into the hole.
  await new Promise((r) => setTimeout(r, 100));
  expect(s.bytes()).toBe('\x20\x02\x00\x00'); // CONNACK, and no PINGRESP
  s.clock.advance(30000);
  expect(s.seen).toEqual(['type 2', 'end ping timeout']);
  expect(proxy.fired).toEqual([expect.objectContaining({ conn: 0, offset: 4, fault: expect.objectContaining({ action: 'stall' }) })]);
});

test('the same wait on a healthy link ends in a PINGRESP, not a timeout', async () => {
  const s = await session('hole-2');
  s.clock.advance(30000);
  await until(() => s.bytes().endsWith('\xd0\x00'), 'the PINGRESP');
  s.clock.advance(30000);
  expect(s.seen).toEqual(['type 2']);
});
