// The local broker enforces AWS IoT's rules for a thing: mTLS with the dev CA, client id = certificate CN,
// topics only under the thing's prefixes (observers see all devices), no QoS 2, takeover, retained and Will.
import { connect, type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import type { ISubackPacket, Packet, QoS } from 'mqtt-packet';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { createTempPki, type TempPki } from '../support/pki';

let pki: TempPki;
let other: TempPki;
let broker: AwsLikeBroker;
const lines: string[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  pki = createTempPki();
  other = createTempPki(); // a different CA: its certificates must not get in
  broker = await startAwsLikeBroker({ pki: pki.pki, port: 0, log: (l) => lines.push(l) });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

afterAll(async () => {
  await broker?.close();
  pki?.cleanup();
  other?.cleanup();
});

function options(cn: string, over: Partial<IClientOptions> = {}, from: TempPki = pki): IClientOptions {
  return {
    host: '127.0.0.1',
    port: broker.port,
    protocol: 'mqtts',
    protocolVersion: 4,
    clientId: cn,
    reconnectPeriod: 0,
    connectTimeout: 10000,
    ...from.tlsFor(cn),
    ...over,
  };
}

function event(c: MqttClient, name: 'close' | 'connect'): Promise<void> {
  return new Promise((resolve) => c.once(name, () => resolve()));
}

/** Resolves on CONNACK 0; rejects with the refusal (MQTT.js puts the return code in `code`) or a TLS failure. */
function connectAs(cn: string, over: Partial<IClientOptions> = {}, from: TempPki = pki): Promise<MqttClient> {
  const c = connect(options(cn, over, from));
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** The raw SUBACK return codes (MQTT.js turns any 0x80 into an error and hides the rest). */
function subackOf(c: MqttClient, topics: Record<string, { qos: QoS }>): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (p: Packet) => {
      if (p.cmd !== 'suback') return;
      c.off('packetreceive', onPacket);
      resolve((p as ISubackPacket).granted as number[]);
    };
    c.on('packetreceive', onPacket);
    c.subscribe(topics, () => undefined);
  });
}

/** Resolves once the broker has fully dropped `id` (its Will, if any, is on its way by then). */
function disconnected(id: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (c: { id: string }) => {
      if (c.id !== id) return;
      broker.aedes.off('clientDisconnect', on);
      resolve();
    };
    broker.aedes.on('clientDisconnect', on);
  });
}

function nextMessage(c: MqttClient): Promise<[string, string, IPublishPacket]> {
  return new Promise((resolve) => c.once('message', (t, p, packet) => resolve([t, p.toString(), packet])));
}

describe('identity', () => {
  test('a thing connects when its client id equals its certificate CN', async () => {
    const c = await connectAs('dev-a');
    expect(c.connected).toBe(true);
  });

  test('a client id other than the certificate CN is refused with CONNACK 5', async () => {
    await expect(connectAs('dev-a', { clientId: 'dev-b' })).rejects.toMatchObject({ code: 5 });
    expect(lines.some((l) => l.startsWith('refused dev-b'))).toBe(true);
  });

  test('a certificate from another CA does not get through TLS', async () => {
    await expect(connectAs('dev-a', {}, other)).rejects.toBeDefined();
  });

  test('a client without a certificate does not get through TLS', async () => {
    await expect(connectAs('dev-a', { key: undefined, cert: undefined })).rejects.toBeDefined();
  });
});

describe('topics', () => {
  test('a thing may publish under devices/<cn>/ and $aws/things/<cn>/', async () => {
    const c = await connectAs('dev-a');
    await c.publishAsync('devices/dev-a/press', '1', { qos: 1 });
    await c.publishAsync('$aws/things/dev-a/shadow/update', '{}', { qos: 1 });
    expect(c.connected).toBe(true);
  });

  test.each(['devices/dev-b/press', 'devices/dev-a', 'other/topic', '$aws/things/dev-b/shadow/update'])(
    'publishing to %s drops the connection',
    async (topic) => {
      const c = await connectAs('dev-a');
      const closed = event(c, 'close');
      c.publish(topic, 'x', { qos: 1 });
      await closed;
      expect(lines).toContain(`drop dev-a: publish to ${topic} not allowed`);
    },
  );

  test('subscribing outside its own prefixes gets SUBACK 0x80, inside gets its QoS', async () => {
    const c = await connectAs('dev-a');
    const granted = await subackOf(c, { 'devices/dev-a/cmd/#': { qos: 1 }, 'devices/dev-b/cmd': { qos: 1 }, 'devices/#': { qos: 0 }, '#': { qos: 0 } });
    expect(granted).toEqual([1, 128, 128, 128]);
    expect(c.connected).toBe(true);
  });

  test('an observer may watch devices/# and sees every thing', async () => {
    const obs = await connectAs('observer');
    const granted = await obs.subscribeAsync('devices/#', { qos: 1 });
    expect(granted[0].qos).toBe(1);
    const dev = await connectAs('dev-c');
    const got = nextMessage(obs);
    await dev.publishAsync('devices/dev-c/press', 'hello', { qos: 1 });
    const [topic, payload] = await got;
    expect([topic, payload]).toEqual(['devices/dev-c/press', 'hello']);
  });

  test('extra observer identities can be configured', async () => {
    const b2 = await startAwsLikeBroker({ pki: pki.pki, observers: ['backend'] });
    try {
      const c = connect({ ...options('backend'), port: b2.port });
      clients.push(c);
      await event(c, 'connect');
      const granted = await c.subscribeAsync('devices/#', { qos: 0 });
      expect(granted[0].qos).toBe(0);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await b2.close();
    }
  });
});

describe('QoS 2', () => {
  test('a QoS 2 publish drops the connection', async () => {
    const c = await connectAs('dev-a');
    const closed = event(c, 'close');
    c.publish('devices/dev-a/press', 'x', { qos: 2 });
    await closed;
    expect(lines).toContain('drop dev-a: QoS 2 publish to devices/dev-a/press');
  });

  test('a QoS 2 subscription is granted QoS 1', async () => {
    const c = await connectAs('dev-a');
    expect(await subackOf(c, { 'devices/dev-a/cmd': { qos: 2 } })).toEqual([1]);
  });
});

describe('sessions', () => {
  test('a second connection with the same client id drops the first', async () => {
    const first = await connectAs('dev-d');
    const firstClosed = event(first, 'close');
    const second = await connectAs('dev-d');
    await firstClosed;
    expect(second.connected).toBe(true);
    await second.publishAsync('devices/dev-d/press', 'still here', { qos: 1 });
  });

  test('a retained message is delivered to a later subscriber with the retain flag', async () => {
    const dev = await connectAs('dev-e');
    await dev.publishAsync('devices/dev-e/state', 'on', { qos: 1, retain: true });
    const obs = await connectAs('observer');
    const got = nextMessage(obs);
    await obs.subscribeAsync('devices/dev-e/state', { qos: 1 });
    const [topic, payload, packet] = await got;
    expect([topic, payload, packet.retain]).toEqual(['devices/dev-e/state', 'on', true]);
  });

  test('a Will is published when a thing vanishes without DISCONNECT', async () => {
    const obs = await connectAs('observer');
    await obs.subscribeAsync('devices/dev-f/status', { qos: 1 });
    const dev = await connectAs('dev-f', { will: { topic: 'devices/dev-f/status', payload: Buffer.from('offline'), qos: 1, retain: false } });
    const got = nextMessage(obs);
    dev.stream.destroy();
    const [topic, payload] = await got;
    expect([topic, payload]).toEqual(['devices/dev-f/status', 'offline']);
  });

  test('a Will outside the thing’s prefixes is not published', async () => {
    const obs = await connectAs('observer');
    await obs.subscribeAsync(['devices/dev-x/#', 'devices/dev-h/#'], { qos: 1 });
    const seen: string[] = [];
    obs.on('message', (t) => seen.push(t));
    const dev = await connectAs('dev-g', { will: { topic: 'devices/dev-x/status', payload: Buffer.from('offline'), qos: 1, retain: false } });
    const gone = disconnected('dev-g');
    dev.stream.destroy();
    await gone;
    // The broker sends a Will before it finishes dropping the client, so a later probe arriving
    // alone shows the Will was refused.
    const probe = await connectAs('dev-h');
    const got = nextMessage(obs);
    await probe.publishAsync('devices/dev-h/probe', 'p', { qos: 1 });
    await got;
    expect(seen).toEqual(['devices/dev-h/probe']);
  });
});

test('close() ends every client connection', async () => {
  const b2 = await startAwsLikeBroker({ pki: pki.pki });
  const c = connect({ ...options('dev-z'), port: b2.port });
  clients.push(c);
  await event(c, 'connect');
  const closed = event(c, 'close');
  await b2.close();
  await closed;
});
