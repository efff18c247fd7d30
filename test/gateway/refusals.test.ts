// Each refusal of the gateway, with what the device sees and what the log says: wrong secret,
// replayed CONNECT, unknown device, tampered event, foreign topic (publish and subscribe), QoS 2.
// And the logs never contain a secret.
import mqtt from 'mqtt';
import { connectPassword } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { generateDeviceSecret } from '../../tools/gateway/device-store';
import { createFixture, type Fixture } from './support/gateway-fixture';

const THING = 'gw-ref-1';
const OTHER = 'gw-ref-2';
let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture([THING, OTHER]);
});
afterAll(async () => {
  await fx?.close();
});

const refusedWith = async (p: Promise<unknown>) => {
  const err = (await p.then(
    () => new Error('connected, but should have been refused'),
    (e: unknown) => e,
  )) as { code?: number; message: string };
  return err.code;
};
const closed = (c: mqtt.MqttClient) => new Promise<void>((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));
const topic = `devices/${THING}/events/button`;

test('a wrong secret is refused with CONNACK 4 and logged as such', async () => {
  const opts = fx.deviceOptions(THING, 1000, {});
  opts.password = connectPassword(THING, generateDeviceSecret(), 1000, sha1);
  const c = mqtt.connect(`mqtt://127.0.0.1:${fx.gateway.port}`, opts);
  const code = await refusedWith(new Promise((res, rej) => (c.once('connect', res), c.once('error', rej))));
  c.end(true);
  expect(code).toBe(4);
  expect(fx.logs.some((l) => l.startsWith(`refused ${THING} from 127.0.0.1`) && l.includes('wrong secret'))).toBe(true);
});

test('a replayed CONNECT (same counter again) is refused, and so is a lower counter', async () => {
  const first = await fx.connectDevice(THING, 500);
  await first.endAsync();
  expect(await refusedWith(fx.connectDevice(THING, 500))).toBe(4);
  expect(fx.logs.some((l) => l.includes('replayed CONNECT (counter 500, highest seen 500)'))).toBe(true);
  expect(await refusedWith(fx.connectDevice(THING, 499))).toBe(4);
  expect(fx.logs.some((l) => l.includes('replayed CONNECT (counter 499, highest seen 500)'))).toBe(true);
  // The genuine device, counting on, still gets in.
  const next = await fx.connectDevice(THING, 501);
  await next.endAsync();
});

test('an unknown device is refused with CONNACK 5', async () => {
  const opts = { ...fx.deviceOptions(THING), clientId: 'stranger', username: 'stranger' };
  const c = mqtt.connect(`mqtt://127.0.0.1:${fx.gateway.port}`, opts);
  const code = await refusedWith(new Promise((res, rej) => (c.once('connect', res), c.once('error', rej))));
  c.end(true);
  expect(code).toBe(5);
  expect(fx.logs.some((l) => l.startsWith('refused stranger') && l.includes('unknown device'))).toBe(true);
});

test("a client id other than the thing name is refused (AWS would see another thing)", async () => {
  expect(await refusedWith(fx.connectDevice(THING, undefined, { clientId: 'someone-else' }))).toBe(4);
});

test('a tampered event is dropped and logged, acknowledged so the device moves on, and the next good one passes', async () => {
  const dev = await fx.connectDevice(THING);
  const tampered = fx.tag(THING, topic, '{"seq":10,"clickType":"single"}').replace('single', 'double');
  await dev.publishAsync(topic, tampered, { qos: 1 }); // resolves on PUBACK
  await dev.publishAsync(topic, '{"seq":11,"clickType":"single"}', { qos: 1 }); // no tag at all
  await dev.publishAsync(topic, fx.tag(THING, topic, '{"seq":12}'), { qos: 1 });
  await fx.waitSeen((m) => m.payload === '{"seq":12}');
  expect(fx.seen.filter((m) => m.payload.includes('"seq":10') || m.payload.includes('"seq":11'))).toEqual([]);
  expect(fx.logs).toEqual(expect.arrayContaining([`dropped event from ${THING} on ${topic}: bad tag (tampered or wrong secret)`, `dropped event from ${THING} on ${topic}: no tag`]));
  await dev.endAsync();
});

test("a publish to another thing's topic closes the connection, as AWS does, and reaches nobody", async () => {
  const dev = await fx.connectDevice(THING);
  const foreign = `devices/${OTHER}/events/button`;
  const gone = closed(dev);
  dev.publish(foreign, fx.tag(THING, foreign, '{"seq":20}'), { qos: 1 });
  await gone;
  expect(fx.logs.some((l) => l.includes(`refused publish from ${THING} to ${foreign}: not its own topic`))).toBe(true);
  // Anything forwarded would have arrived before this marker, published afterwards.
  const other = await fx.connectDevice(OTHER);
  await other.publishAsync(`devices/${OTHER}/events/button`, fx.tag(OTHER, `devices/${OTHER}/events/button`, '{"marker":20}'), { qos: 1 });
  await fx.waitSeen((m) => m.payload === '{"marker":20}');
  expect(fx.seen.some((m) => m.payload.includes('"seq":20'))).toBe(false);
  dev.end(true);
  await other.endAsync();
});

test("a subscription to another thing's topic, or to everything, gets SUBACK 0x80", async () => {
  const dev = await fx.connectDevice(THING);
  // MQTT.js turns any 0x80 into an error, so read the SUBACK itself.
  const suback = new Promise<number[]>((resolve) =>
    dev.on('packetreceive', (p) => {
      if (p.cmd === 'suback') resolve(p.granted as number[]);
    }),
  );
  dev.subscribe([`devices/${OTHER}/config`, '#', `devices/+/config`, `devices/${THING}/ok`], { qos: 1 }, () => undefined);
  expect(await suback).toEqual([128, 128, 128, 1]);
  expect(fx.logs.some((l) => l.includes(`refused subscribe from ${THING} to devices/${OTHER}/config: not its own topic`))).toBe(true);
  await dev.endAsync();
});

test('a QoS 2 publish closes the connection, as AWS does', async () => {
  const dev = await fx.connectDevice(THING);
  const gone = closed(dev);
  dev.publish(topic, fx.tag(THING, topic, '{"seq":30}'), { qos: 2 });
  await gone;
  expect(fx.logs.some((l) => l.includes(`refused publish from ${THING} to ${topic}: QoS 2`))).toBe(true);
  dev.end(true);
});

test('a Will on a foreign topic or with a bad tag is refused at CONNECT', async () => {
  const foreign = { topic: `devices/${OTHER}/status`, payload: Buffer.from('offline'), qos: 1 as const, retain: false };
  expect(await refusedWith(fx.connectDevice(THING, undefined, { will: foreign }))).toBe(5);
  const forged = { topic: `devices/${THING}/lastwords`, payload: Buffer.from('{"bye":1,"tag":"' + '0'.repeat(40) + '"}'), qos: 1 as const, retain: false };
  expect(await refusedWith(fx.connectDevice(THING, undefined, { will: forged }))).toBe(5);
  expect(fx.logs.some((l) => l.includes(`Will on devices/${THING}/lastwords: bad tag`))).toBe(true);
});

test('no log line contains a secret or a password', () => {
  expect(fx.logs.length).toBeGreaterThan(10);
  const all = fx.logs.join('\n');
  for (const s of Object.values(fx.secrets)) expect(all).not.toContain(s);
  expect(all).not.toMatch(/v1:\d+:[0-9a-f]{40}/);
  expect(all).not.toMatch(/[0-9a-f]{40}/);
});
