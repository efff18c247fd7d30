// The gateway's life around its devices: AWS unreachable, replay protection across a restart,
// devices added while it runs, a device reconnecting over its old session, and startup failures.
import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'aedes';
import { isUserError } from '../../tools/shared/errors';
import { addDevice, generateDeviceSecret } from '../../tools/gateway/device-store';
import { startGateway } from '../../tools/gateway/run';
import { CERT_FILE, KEY_FILE } from '../../tools/certificates';
import { createFixture, type Fixture } from './support/gateway-fixture';

const THING = 'gw-life-1';
let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture([THING]);
});
afterAll(async () => {
  await fx?.close();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'connected',
    (e: { code?: number }) => e.code,
  );
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

test('when AWS cannot be reached the device is refused with CONNACK 3 (server unavailable) and retries later', async () => {
  const logs: string[] = [];
  const dead = await freePort();
  const gw = await startGateway({
    bind: '127.0.0.1',
    port: 0,
    store: fx.storeDir,
    upstream: { endpoint: '127.0.0.1', port: dead, caPath: fx.temp.pki.caPath },
    log: (l) => logs.push(l),
    connectTimeoutMs: 5000,
  });
  try {
    const mqtt = await import('mqtt');
    const c = mqtt.connect(`mqtt://127.0.0.1:${gw.port}`, fx.deviceOptions(THING));
    const code = await refusal(new Promise((res, rej) => (c.once('connect', res), c.once('error', rej))));
    c.end(true);
    expect(code).toBe(3);
    expect(logs.some((l) => l.startsWith(`refused ${THING}`) && l.includes(`cannot reach AWS IoT at 127.0.0.1:${dead}`))).toBe(true);
  } finally {
    await gw.close();
  }
});

test('a CONNECT recorded before a gateway restart is still refused after it', async () => {
  const dev = await fx.connectDevice(THING, 100);
  await dev.endAsync();
  const port = fx.gateway.port;
  await fx.gateway.close();
  await fx.startGateway(port);
  expect(await refusal(fx.connectDevice(THING, 100))).toBe(4);
  const ok = await fx.connectDevice(THING, 101);
  await ok.endAsync();
});

test('a device added while the gateway runs can connect at once', async () => {
  const thing = 'gw-life-late';
  const id = fx.temp.pki.client(thing);
  const certDir = join(fx.storeDir, 'certs', thing);
  mkdirSync(certDir, { recursive: true });
  copyFileSync(id.certPath, join(certDir, CERT_FILE));
  copyFileSync(id.keyPath, join(certDir, KEY_FILE));
  fx.secrets[thing] = generateDeviceSecret();
  expect(await refusal(fx.connectDevice(thing))).toBe(5);
  addDevice(fx.storeDir, { thing, secret: fx.secrets[thing], certDir });
  const dev = await fx.connectDevice(thing);
  await dev.publishAsync(`devices/${thing}/events/button`, fx.tag(thing, `devices/${thing}/events/button`, '{"late":1}'), { qos: 1 });
  await fx.waitSeen((m) => m.payload === '{"late":1}');
  await dev.endAsync();
});

test('a device reconnecting while its old connection lingers takes over, with one AWS connection at a time', async () => {
  const upstreams: string[] = [];
  const onClient = (c: Client) => c.id === THING && upstreams.push('connect');
  const onGone = (c: Client) => c.id === THING && upstreams.push('disconnect');
  fx.broker.aedes.on('client', onClient);
  fx.broker.aedes.on('clientDisconnect', onGone);
  try {
    const first = await fx.connectDevice(THING);
    const firstClosed = new Promise<void>((r) => first.once('close', () => r()));
    const second = await fx.connectDevice(THING);
    await firstClosed;
    const topic = `devices/${THING}/events/button`;
    await second.publishAsync(topic, fx.tag(THING, topic, '{"takeover":1}'), { qos: 1 });
    await fx.waitSeen((m) => m.payload === '{"takeover":1}');
    // One upstream after the other, and no reconnect ping-pong between the two at AWS.
    expect(upstreams).toEqual(['connect', 'disconnect', 'connect']);
    expect(fx.logs).toContain(`disconnected ${THING} (replaced by a new connection)`);
    await second.endAsync();
    first.end(true);
  } finally {
    fx.broker.aedes.off('client', onClient);
    fx.broker.aedes.off('clientDisconnect', onGone);
  }
});

test('startup failures are UserErrors that say what to do: missing CA, port in use, corrupt store', async () => {
  const upstream = { endpoint: '127.0.0.1', port: fx.broker.port, caPath: fx.temp.pki.caPath };
  const noCa = await rejection(startGateway({ port: 0, bind: '127.0.0.1', store: fx.storeDir, upstream: { ...upstream, caPath: join(fx.dir, 'missing.pem') }, log: () => {} }));
  expect(isUserError(noCa)).toBe(true);
  expect((noCa as Error).message).toMatch(/AmazonRootCA1\.pem/);

  const busy = await rejection(startGateway({ port: fx.gateway.port, bind: '127.0.0.1', store: fx.storeDir, upstream, log: () => {} }));
  expect(isUserError(busy)).toBe(true);
  expect((busy as Error).message).toMatch(/is in use/);

  const bad = join(fx.dir, 'bad-store');
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, 'devices.json'), '[');
  const corrupt = await rejection(startGateway({ port: 0, bind: '127.0.0.1', store: bad, upstream, log: () => {} }));
  expect(isUserError(corrupt)).toBe(true);
});
