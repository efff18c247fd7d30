// The whole update path on the virtual NodeMCU, through the exact firmware and the app's hook: the
// device subscribes to its ota topic, the hook loads ota.js from flash, chunks land in slot fw.b,
// load() restarts into the loader, the new firmware proves itself and reports. A firmware that
// throws at boot is rolled back after 3 boots and the old one says why. A plain aedes broker
// stands in for the gateway's; presses made during the update are delivered.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Aedes from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { buildAbFiles, withVersion as withFwVersion, writeAbFlash, type AbFiles } from '../support/ab-files';
import { createVirtualDevice, type VirtualDevice } from '../../tools/simulator/device';
import { slotFile } from '../../tools/flash/write-slots';
import { sendUpdate, type OtaLink } from '../../tools/ota/send-update';
import { version } from '../../package.json';

const SECRET = '5e'.repeat(32);
let dir: string;
let fw: Buffer;
let files: AbFiles;
let aedes: Aedes;
let server: Server;
let port: number;
let cloud: MqttClient;
const events: string[] = [];
const devices: VirtualDevice[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ota-sim-'));
  files = await buildAbFiles(dir);
  fw = files.fw;
  aedes = new Aedes();
  server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  cloud = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'cloud' });
  await cloud.subscribeAsync('devices/+/events/button');
  cloud.on('message', (t, p) => {
    if (t.endsWith('/events/button')) events.push(p.toString());
  });
}, 60000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await cloud?.endAsync();
  await new Promise<void>((r) => aedes.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** The firmware with another version string (the build's first `="0.1.0"` is package.json's version). */
const withVersion = (v: string) => withFwVersion(fw, v);

/** Each test has its own thing: a device left running by another test must not share its client id. */
function flashedDevice(thing: string, lines: string[]): VirtualDevice {
  const d = createVirtualDevice({ profile: 'esp8266', console: (t) => lines.push(...t.split('\n').filter((l) => l.trim())) });
  devices.push(d);
  const cfg = { thing, wifi: { ssid: 'sim-ap', password: 'sim-pass' }, mqtt: { host: '127.0.0.1', port, transport: 'tcp' }, gateway: { secret: SECRET } };
  d.storage.write('config.json', JSON.stringify(cfg));
  writeAbFlash(d.storage, files);
  d.boot();
  return d;
}

async function link(thing: string): Promise<{ l: OtaLink; close: () => Promise<void> }> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `sender-${Math.random()}` });
  await c.subscribeAsync(`devices/${thing}/ota/out`);
  const fns: ((b: Buffer) => void)[] = [];
  c.on('message', (_t, p) => fns.forEach((f) => f(p)));
  return {
    l: { publish: async (t, p) => void (await c.publishAsync(t, p)), onReply: (f) => (fns.push(f), () => fns.splice(fns.indexOf(f), 1)) },
    close: () => c.endAsync(),
  };
}

const until = async (ok: () => boolean, ms: number, what: string) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a newer firmware goes over MQTT into slot fw.b, boots on trial, proves itself and reports; presses made meanwhile arrive', async () => {
  const THING = 'ota-sim-1';
  const lines: string[] = [];
  const d = flashedDevice(THING, lines);
  await until(() => lines.some((l) => l.startsWith('mqtt: connected')), 10000, 'the device to connect');
  await new Promise((r) => setTimeout(r, 300)); // its SUBSCRIBE to ota/in
  const { l, close } = await link(THING);
  let pressed = 0;
  const r = await sendUpdate(l, {
    thing: THING,
    bundle: withVersion('0.9.0'),
    version: '0.9.0',
    secret: SECRET,
    stepTimeoutMs: 5000,
    outcomeTimeoutMs: 20000,
    onProgress: (s) => {
      if (s > 4000 && !pressed++) void d.press(150);
    },
  });
  await close();
  expect(r).toEqual({ status: 'SUCCEEDED', detail: 'running 0.9.0' });
  expect(lines).toContain('boot: fw.b (trial 1 of 3)');
  expect(lines.some((l) => l.startsWith('espruino-aws-button 0.9.0'))).toBe(true);
  expect(d.storage.read('fw.a')).toEqual(slotFile(fw));
  expect(d.storage.read('.otalog')!.toString('latin1').replace(/\xff+$/, '')).toBe('aBtwmkz');
  await until(() => events.length >= 1, 10000, 'the press made during the update');
  expect(JSON.parse(events[0]).seq).toBe(1);
  expect(lines.join('\n')).not.toMatch(/Uncaught/);
}, 60000);

test('a firmware that throws at boot is rolled back after 3 boots, and the old one reports why', async () => {
  const THING = 'ota-sim-2';
  const lines: string[] = [];
  flashedDevice(THING, lines);
  await until(() => lines.filter((l) => l.startsWith('mqtt: connected')).length >= 1, 10000, 'the device to connect');
  await new Promise((r) => setTimeout(r, 300));
  const { l, close } = await link(THING);
  const bad = Buffer.from('print("espruino-aws-button 1.0.0");throw new Error("broken build")\n', 'latin1');
  const r = await sendUpdate(l, { thing: THING, bundle: bad, version: '1.0.0', secret: SECRET, stepTimeoutMs: 5000, outcomeTimeoutMs: 30000 });
  await close();
  expect(r).toEqual({ status: 'FAILED', detail: `rolled back to ${version}: the new firmware stopped with an error at boot` });
  expect(lines.filter((x) => x.startsWith('boot: the firmware stopped: Error: broken build'))).toHaveLength(3);
}, 60000);
