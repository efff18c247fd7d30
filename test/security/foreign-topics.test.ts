// A device cannot publish on another device's topics by any path: directly to the AWS-like broker
// or to mosquitto with its own certificate, or through the LAN gateway with its own secret; by
// publish (QoS 0, QoS 1, retained), by Will, by claiming the other's client id or user name, by a
// thing name that merely starts like its own, or as the real firmware configured with the other's
// thing name. A watcher sees every topic; the other device's marker, published afterwards, proves
// nothing forged arrived before it.
import mqtt from 'mqtt';
import { connectPassword, tagEvent } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { describeWithMosquitto } from '../support/mosquitto';
import { createWorkspace, sleep, startRigBroker, startRigDevice, startRigGateway, until, type RigBroker, type RigDevice, type RigGateway, type Workspace } from '../interop/support/rig';

const A = 'sec-a';
/** Starts like A's name: `devices/sec-a` is a prefix of its topics. */
const B = 'sec-ab';
const TOPICS = [`devices/${B}/events/button`, `devices/${B}/status`, `$aws/things/${B}/shadow/update`, `devices/${B}`];

let ws: Workspace;
beforeAll(async () => {
  ws = await createWorkspace();
}, 60000);
afterAll(() => ws?.cleanup());

interface Watch {
  seen: { topic: string; payload: string }[];
  close(): Promise<void>;
}

async function watch(port: number): Promise<Watch> {
  const id = ws.pki.client('observer');
  const o = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { key: id.key, cert: id.cert, ca: ws.pki.ca, clientId: 'observer', reconnectPeriod: 0, protocolVersion: 4 });
  const seen: Watch['seen'] = [];
  o.on('message', (topic, m) => seen.push({ topic, payload: m.toString() }));
  await o.subscribeAsync(['devices/#', '$aws/things/#'], { qos: 1 });
  return { seen, close: () => o.endAsync() };
}

/** Connects (or fails to), tries `act`, and always ends the connection; never throws. */
async function attempt(url: string, opts: mqtt.IClientOptions, act: (c: mqtt.MqttClient) => Promise<unknown>): Promise<'refused' | 'done'> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000, ...opts });
  c.on('error', () => undefined);
  const ok = await new Promise<boolean>((resolve) => {
    c.once('connect', () => resolve(true));
    c.once('close', () => resolve(false));
  });
  if (ok) {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([act(c).catch(() => undefined), new Promise<void>((r) => c.once('close', () => r())), new Promise<void>((r) => (t = setTimeout(r, 3000)))]);
    clearTimeout(t);
    await sleep(100);
  }
  await c.endAsync(true).catch(() => undefined);
  return ok ? 'done' : 'refused';
}

/** Every way of publishing on B's topics over an open connection. */
async function publishEverywhere(c: mqtt.MqttClient, tag: (topic: string, p: string) => string = (_t, p) => p): Promise<void> {
  for (const topic of TOPICS) {
    for (const [qos, retain] of [[0, false], [1, false], [1, true]] as const) {
      c.publish(topic, tag(topic, `{"forged":"${topic} q${qos}${retain ? ' r' : ''}"}`), { qos, retain });
    }
  }
  await sleep(300);
}

/** B's own marker on its topic; once it is seen, nothing forged can still be on its way. */
async function markerThenCheck(w: Watch, publishMarker: () => Promise<void>): Promise<void> {
  await publishMarker();
  await until(() => w.seen.some((m) => m.payload.includes('"marker"')), 15000, () => `no marker; seen ${JSON.stringify(w.seen)}`);
  const forged = w.seen.filter((m) => m.payload.includes('forged'));
  expect(forged).toEqual([]);
}

describe.each<'aws-like' | 'mosquitto'>(['aws-like'])('directly to the %s broker', (kind) => directSuite(kind));
describeWithMosquitto('directly to mosquitto 2', () => directSuite('mosquitto'));

function directSuite(kind: 'aws-like' | 'mosquitto'): void {
  let broker: RigBroker;
  let w: Watch;
  const devices: RigDevice[] = [];
  beforeAll(async () => {
    broker = await startRigBroker(kind, ws.pki);
    w = await watch(broker.port);
  }, 30000);
  afterAll(async () => {
    for (const d of devices) await d.close();
    await w?.close();
    await broker?.close();
  });
  const url = () => `mqtts://127.0.0.1:${broker.port}`;
  const tlsOf = (cn: string) => {
    const id = ws.pki.client(cn);
    return { key: id.key, cert: id.cert, ca: ws.pki.ca };
  };
  const marker = () => attempt(url(), { ...tlsOf(B), clientId: B }, (c) => c.publishAsync(`devices/${B}/events/button`, '{"marker":1}', { qos: 1 })).then(() => undefined);

  test(`with ${A}'s certificate: publishes, retained messages and a Will on ${B}'s topics reach nobody`, async () => {
    const tlsA = tlsOf(A);
    await attempt(url(), { ...tlsA, clientId: A }, (c) => publishEverywhere(c));
    // The Will: a connection that vanishes without DISCONNECT.
    const c = await mqtt.connectAsync(url(), { ...tlsA, clientId: A, reconnectPeriod: 0, protocolVersion: 4, will: { topic: `devices/${B}/status`, payload: Buffer.from('{"forged":"will"}'), qos: 1, retain: true } }).catch(() => undefined);
    (c?.stream as { destroy?: () => void } | undefined)?.destroy?.();
    c?.end(true);
    // Claiming B's client id with A's certificate.
    const claimed = await attempt(url(), { ...tlsA, clientId: B }, (x) => publishEverywhere(x));
    // aws-like refuses the id outright (as AWS's usual policy does); mosquitto accepts it but the ACL follows the certificate.
    if (kind === 'aws-like') expect(claimed).toBe('refused');
    await markerThenCheck(w, marker);
    // A late subscriber finds no forged retained message either.
    const late = await watch(broker.port);
    await sleep(300);
    expect(late.seen.filter((m) => m.payload.includes('forged'))).toEqual([]);
    await late.close();
  }, 60000);

  test(`the firmware with ${A}'s certificate but configured as ${B} never delivers an event as ${B}`, async () => {
    // Provisioned with A's identity files but B's thing name in config.json.
    const d = startRigDevice(ws, A, { kind: 'direct', port: broker.port }, { thing: B });
    devices.push(d);
    await d.waitLine(kind === 'aws-like' ? /CONNACK 5/ : /mqtt: connected/, 15000);
    await sleep(100);
    await d.press();
    await sleep(1000);
    await markerThenCheck(w, marker);
    expect(w.seen.filter((m) => m.topic.startsWith(`devices/${B}/`) && !m.payload.includes('marker') && m.payload !== 'online')).toEqual([]);
    expect(w.seen.filter((m) => m.topic === `devices/${B}/status` && m.payload === 'online')).toEqual([]);
  }, 60000);
}

describe('through the LAN gateway', () => {
  let broker: RigBroker;
  let gw: RigGateway;
  let w: Watch;
  let secretA: string;
  let secretB: string;
  let counterA = 0;
  let counterB = 0;
  const devices: RigDevice[] = [];
  beforeAll(async () => {
    broker = await startRigBroker('aws-like', ws.pki);
    w = await watch(broker.port);
    gw = await startRigGateway(ws.pki, ws.dir, broker.port);
    secretA = gw.enrol(A);
    secretB = gw.enrol(B);
  }, 30000);
  afterAll(async () => {
    for (const d of devices) await d.close();
    await gw?.close();
    await w?.close();
    await broker?.close();
  });
  const url = () => `mqtt://127.0.0.1:${gw.port}`;
  const asA = (extra: mqtt.IClientOptions = {}) => ({ clientId: A, username: A, password: connectPassword(A, secretA, ++counterA, sha1), ...extra });
  const marker = () =>
    attempt(url(), { clientId: B, username: B, password: connectPassword(B, secretB, ++counterB, sha1) }, (c) =>
      c.publishAsync(`devices/${B}/events/button`, tagEvent(`devices/${B}/events/button`, '{"marker":1}', secretB, sha1), { qos: 1 }),
    ).then(() => undefined);

  test(`with ${A}'s secret: publishes (tagged or not), retained messages and a Will on ${B}'s topics reach nobody`, async () => {
    await attempt(url(), asA(), (c) => publishEverywhere(c));
    await attempt(url(), asA(), (c) => publishEverywhere(c, (t, p) => tagEvent(t, p, secretA, sha1)));
    expect(await attempt(url(), asA({ will: { topic: `devices/${B}/status`, payload: Buffer.from('{"forged":"will"}'), qos: 1, retain: true } }), async () => undefined)).toBe('refused');
    await markerThenCheck(w, marker);
    expect(gw.logs.some((l) => l.includes(`refused publish from ${A} to devices/${B}/`))).toBe(true);
  }, 60000);

  test(`${A}'s secret does not open ${B}'s session: not as B's user name, nor as B's client id`, async () => {
    expect(await attempt(url(), { clientId: B, username: B, password: connectPassword(B, secretA, ++counterA, sha1) }, (c) => publishEverywhere(c))).toBe('refused');
    expect(await attempt(url(), asA({ clientId: B }), (c) => publishEverywhere(c))).toBe('refused');
    expect(await attempt(url(), { clientId: B, username: A, password: connectPassword(A, secretA, ++counterA, sha1) }, (c) => publishEverywhere(c))).toBe('refused');
    await markerThenCheck(w, marker);
  }, 60000);

  test(`the firmware with ${A}'s secret but configured as ${B} is refused and delivers nothing`, async () => {
    const d = startRigDevice(ws, B, { kind: 'gateway', port: gw.port, secret: secretA });
    devices.push(d);
    await d.waitLine(/CONNACK 4/, 15000);
    await d.press();
    await sleep(500);
    await markerThenCheck(w, marker);
  }, 60000);
});
