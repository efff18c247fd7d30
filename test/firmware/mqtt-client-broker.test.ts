// The firmware MQTT client over real mutual TLS (through the Node socket adapter, with DER key material
// as the device stores it) against the AWS-like broker: connect, publish, subscribe and receive, ping,
// refusal, drop, Will.
import type { EventEmitter } from 'node:events';
import { connect as mqttConnect, type MqttClient as MqttJsClient } from 'mqtt';
import { createMqttClient, type MqttOptions } from '../../firmware/core/mqtt/client';
import { events, methods, type ClientMethods as MqttClient } from '../../firmware/core/mqtt/views';
import type { Clock, Socket } from '../../firmware/ports';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { pemToDer } from '../../tools/pki/dev-pki';
import { connectNodeSocket } from '../support/node-socket';
import { createTempPki, type TempPki } from '../support/pki';

let pki: TempPki;
let broker: AwsLikeBroker;
const live: MqttClient[] = [];
const others: MqttJsClient[] = [];

const realClock: Clock = {
  now: () => Date.now(),
  wall: () => Date.now(),
  after: (ms, fn) => setTimeout(fn, ms) as unknown as number,
  cancel: (id) => clearTimeout(id as unknown as NodeJS.Timeout),
};

beforeAll(async () => {
  pki = createTempPki();
  broker = await startAwsLikeBroker({ pki: pki.pki });
});

afterEach(async () => {
  for (const c of live.splice(0)) c.end();
  await Promise.all(others.splice(0).map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await broker?.close();
  pki?.cleanup();
});

/** Waits for the next event that matches, from a small event log the client's handlers fill. */
class Events {
  private items: string[] = [];
  private waiters: { match: (e: string) => boolean; resolve: (e: string) => void }[] = [];
  push(e: string) {
    this.items.push(e);
    for (const w of this.waiters.filter((x) => x.match(e))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  }
  all() {
    return [...this.items];
  }
  next(prefix: string): Promise<string> {
    const found = this.items.find((e) => e.startsWith(prefix));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match: (e) => e.startsWith(prefix), resolve }));
  }
}

/** Opens a TLS socket as thing `cn` (key material as DER byte strings, as read from Storage) and starts the client. */
function open(cn: string, over: Partial<MqttOptions> = {}): Promise<{ client: MqttClient; ev: Events; socket: Socket }> {
  const id = pki.pki.client(cn);
  const der = (pem: string) => pemToDer(pem).toString('latin1');
  const ev = new Events();
  return new Promise((resolve, reject) => {
    const socket = connectNodeSocket(
      { host: '127.0.0.1', port: broker.port, kind: 'tls', key: der(id.key), cert: der(id.cert), ca: der(pki.pki.ca) },
      () => {
        const client = methods(createMqttClient(socket!, realClock, { clientId: cn, keepalive: 30, clean: true, maxPacket: 4096, ...over }, events({
          connected: (sp) => ev.push(`connected ${sp}`),
          puback: (n) => ev.push(`puback ${n}`),
          closed: (why) => ev.push(`closed ${why}`),
          suback: (n, code) => ev.push(`suback ${n} ${code}`),
          message: (topic, payload, qos) => ev.push(`message ${topic} ${payload} qos ${qos}`),
        })));
        live.push(client);
        resolve({ client, ev, socket: socket! });
      },
      (msg) => reject(new Error(msg)),
    );
  });
}

/** Resolves when the broker emits `event` for client `id` (the client is the event's last argument). */
function brokerEvent(event: 'ping' | 'clientDisconnect', id: string, times = 1): Promise<void> {
  const emitter = broker.aedes as unknown as EventEmitter; // its typed overloads do not share a listener type
  return new Promise((resolve) => {
    let seen = 0;
    const on = (...args: unknown[]) => {
      if ((args[args.length - 1] as { id: string }).id !== id || ++seen < times) return;
      emitter.off(event, on);
      resolve();
    };
    emitter.on(event, on);
  });
}

/** An MQTT.js client as the observer identity, which may publish and subscribe under every thing. */
async function observe(): Promise<MqttJsClient> {
  const c = mqttConnect({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', clientId: 'observer', reconnectPeriod: 0, ...pki.tlsFor('observer') });
  others.push(c);
  await new Promise((r) => c.once('connect', r));
  return c;
}

async function connected(cn: string, over: Partial<MqttOptions> = {}) {
  const c = await open(cn, over);
  expect(await Promise.race([c.ev.next('connected'), c.ev.next('closed')])).toBe('connected false');
  return c;
}

test('connects with a client certificate and gets PUBACK for a QoS 1 publish', async () => {
  const { client, ev } = await connected('thing-1');
  const id = client.publish('devices/thing-1/press', '{"n":1}', 1, false);
  expect(id).toBe(1);
  expect(await ev.next('puback')).toBe('puback 1');
});

test('subscribes, and receives QoS 0 and QoS 1 messages (acknowledging the QoS 1 one)', async () => {
  const { client, ev } = await connected('thing-2');
  const id = client.subscribe('devices/thing-2/cmd/#', 1);
  expect(await ev.next('suback')).toBe(`suback ${id} 1`);
  const observer = await observe();
  await observer.publishAsync('devices/thing-2/cmd/led', 'blink', { qos: 0 });
  expect(await ev.next('message devices/thing-2/cmd/led')).toBe('message devices/thing-2/cmd/led blink qos 0');
  // The broker delivers at the lower of the two QoS; MQTT.js resolves only once the broker has it,
  // and the broker keeps the message in flight until the device's PUBACK.
  const acked = new Promise<void>((resolve) => {
    const emitter = broker.aedes as unknown as EventEmitter;
    const on = (packet: { messageId?: number }, c: { id: string } | null) => {
      if (c?.id !== 'thing-2') return;
      emitter.off('ack', on);
      resolve();
    };
    emitter.on('ack', on);
  });
  await observer.publishAsync('devices/thing-2/cmd/led', 'twice', { qos: 1 });
  expect(await ev.next('message devices/thing-2/cmd/led twice')).toBe('message devices/thing-2/cmd/led twice qos 1');
  await acked; // aedes saw the device's PUBACK
  const grantedZero = client.subscribe('devices/thing-2/other', 0);
  expect(await ev.next(`suback ${grantedZero}`)).toBe(`suback ${grantedZero} 0`);
  expect(ev.all().filter((e) => e.startsWith('closed'))).toEqual([]);
});

test('a subscription the policy forbids gets SUBACK 0x80 and the session stays up', async () => {
  const { client, ev } = await connected('thing-3');
  const id = client.subscribe('devices/thing-99/cmd', 1);
  expect(await ev.next('suback')).toBe(`suback ${id} 128`);
  expect(client.publish('devices/thing-3/press', 'still here', 1, false)).toBe(id + 1);
  expect(await ev.next('puback')).toBe(`puback ${id + 1}`);
});

test('keeps the connection alive with PINGREQ', async () => {
  const { ev } = await connected('thing-4', { keepalive: 1 });
  await brokerEvent('ping', 'thing-4', 2);
  expect(ev.all().filter((e) => e.startsWith('closed'))).toEqual([]);
});

test('a client id other than the certificate CN is refused with a named CONNACK error', async () => {
  const { ev } = await open('thing-5', { clientId: 'someone-else' });
  expect(await ev.next('closed')).toBe('closed CONNACK 5: not authorized');
});

test('the broker dropping the connection (forbidden publish) gives closed()', async () => {
  const { client, ev } = await connected('thing-6');
  client.publish('devices/thing-7/press', 'not mine', 1, false);
  expect(await ev.next('closed')).toBe('closed socket closed');
  expect(client.publish('devices/thing-6/press', 'x', 1, false)).toBe(-1);
});

test('a second connection with the same id drops the first', async () => {
  const first = await connected('thing-8');
  await connected('thing-8');
  expect(await first.ev.next('closed')).toBe('closed socket closed');
});

test('end() disconnects cleanly, so the broker does not send the Will', async () => {
  const observer = await observe();
  await observer.subscribeAsync('devices/thing-9/#', { qos: 1 });
  const seen: string[] = [];
  observer.on('message', (t) => seen.push(t));
  const { client, ev } = await connected('thing-9', { will: { topic: 'devices/thing-9/status', payload: 'offline', qos: 1, retain: false } });
  const gone = brokerEvent('clientDisconnect', 'thing-9');
  client.end();
  expect(await ev.next('closed')).toBe('closed ended by client');
  await gone;
  // A Will goes out before the broker finishes dropping the client, so a probe arriving alone shows there was none.
  const probe = new Promise((r) => observer.once('message', r));
  await observer.publishAsync('devices/thing-9/probe', 'p', { qos: 1 });
  await probe;
  expect(seen).toEqual(['devices/thing-9/probe']);
});

test('losing the connection without DISCONNECT makes the broker send the Will', async () => {
  const observer = await observe();
  await observer.subscribeAsync('devices/thing-10/#', { qos: 1 });
  const will = new Promise<string>((r) => observer.once('message', (t, p) => r(`${t} ${p}`)));
  const c = await connected('thing-10', { will: { topic: 'devices/thing-10/status', payload: 'offline', qos: 1, retain: false } });
  // The socket ends under the client (as when Wi-Fi drops): no DISCONNECT was sent.
  c.socket.end();
  expect(await will).toBe('devices/thing-10/status offline');
});
