// The cloud watcher with the real aws-iot-device-sdk-v2 against the AWS-like broker (aedes behind
// mutual TLS, tools/broker) and a dev PKI in a temp dir. No timed assertions: each wait ends on
// an event, and jest's timeout only guards against a hang. Every client and server is closed.
import { createServer, type AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { createCloudWatcher, type CloudWatcher, type CloudWatcherOptions } from '../../tools/monitor/cloud-watcher';
import { ensureDevPki, type DevPki } from '../../tools/pki/dev-pki';
import { makeTempDir, type TempDir } from '../support/cert-fixtures';
import { failure } from '../support/user-error';

let tmp: TempDir;
let pki: DevPki;
let broker: AwsLikeBroker;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  tmp = makeTempDir('watcher-');
  pki = ensureDevPki(tmp.path);
  broker = await startAwsLikeBroker({ port: 0, host: '127.0.0.1', pki });
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

afterAll(async () => {
  await broker.close();
  tmp.remove();
});

function watch(opts: Partial<CloudWatcherOptions>, onMessage: (topic: string, payload: string) => void = () => undefined): CloudWatcher {
  const observer = pki.client('observer');
  const w = createCloudWatcher(
    { endpoint: '127.0.0.1', port: broker.port, cert: observer.cert, key: observer.key, ca: pki.ca, clientId: 'observer', topics: ['devices/+/events/button'], ...opts },
    onMessage,
  );
  open.push(w);
  return w;
}

/** A device connected as `thing` with its own certificate, as the firmware would be. */
async function device(thing: string): Promise<MqttClient> {
  const id = pki.client(thing);
  const client = await mqtt.connectAsync({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', clientId: thing, cert: id.cert, key: id.key, ca: pki.ca, protocolVersion: 4, reconnectPeriod: 0 });
  open.push({ close: () => client.endAsync() });
  return client;
}

function nextMessage(): { onMessage: (t: string, p: string) => void; received: Promise<[string, string]> } {
  let resolve: (v: [string, string]) => void = () => undefined;
  const received = new Promise<[string, string]>((r) => (resolve = r));
  return { onMessage: (t, p) => resolve([t, p]), received };
}

test('delivers what a device publishes, as topic and UTF-8 text', async () => {
  const msg = nextMessage();
  const w = watch({}, msg.onMessage);
  await w.ready;
  const button = await device('button-1');
  const body = JSON.stringify({ thing: 'button-1', seq: 1, clickType: 'SINGLE', ts: null, note: 'é' });
  await button.publishAsync('devices/button-1/events/button', body, { qos: 1 });
  expect(await msg.received).toEqual(['devices/button-1/events/button', body]);
});

test('takes the identity from files as well as from PEM text', async () => {
  const observer = pki.client('observer');
  const w = watch({ cert: undefined, key: undefined, ca: undefined, certPath: observer.certPath, keyPath: observer.keyPath, caPath: pki.caPath });
  await expect(w.ready).resolves.toBeUndefined();
});

test('a missing certificate file is a UserError before any connection', async () => {
  const err = await failure(watch({ cert: undefined, certPath: tmp.path + '/nope.crt' }).ready);
  expect(err.anchor).toBe('identity-missing');
});

test('after the broker restarts it reconnects and subscribes again', async () => {
  const statuses: string[] = [];
  let resumed: () => void = () => undefined;
  const wasResumed = new Promise<void>((r) => (resumed = r));
  const messages: string[] = [];
  let got: () => void = () => undefined;
  const gotOne = new Promise<void>((r) => (got = r));
  const w = watch(
    {
      onStatus: (event) => {
        statuses.push(event);
        if (event === 'resumed') resumed();
      },
    },
    (_t, p) => {
      messages.push(p);
      got();
    },
  );
  await w.ready;
  const port = broker.port;
  await broker.close();
  broker = await startAwsLikeBroker({ port, host: '127.0.0.1', pki });
  const subscribed = new Promise<void>((r) => broker.aedes.on('subscribe', (_subs, client) => client?.id === 'observer' && r()));
  await wasResumed;
  await subscribed;
  const button = await device('button-1');
  await button.publishAsync('devices/button-1/events/button', 'after restart', { qos: 1 });
  await gotOne;
  expect(messages).toEqual(['after restart']);
  expect(statuses).toEqual(['interrupted', 'resumed']);
});

test('a callback that throws is reported and later messages still arrive', async () => {
  const errors: unknown[] = [];
  const seen: string[] = [];
  let second: () => void = () => undefined;
  const gotSecond = new Promise<void>((r) => (second = r));
  const w = watch({ onError: (e) => errors.push(e) }, (_t, p) => {
    seen.push(p);
    if (p === 'one') throw new Error('handler bug');
    second();
  });
  await w.ready;
  const button = await device('button-1');
  await button.publishAsync('devices/button-1/events/button', 'one', { qos: 1 });
  await button.publishAsync('devices/button-1/events/button', 'two', { qos: 1 });
  await gotSecond;
  expect(seen).toEqual(['one', 'two']);
  expect(String(errors[0])).toMatch(/handler bug/);
});

test('a subscription the broker refuses rejects ready with what to do', async () => {
  // A button's own certificate may watch only its own topics, as under the AWS policy.
  const id = pki.client('button-2');
  const err = await failure(watch({ cert: id.cert, key: id.key, clientId: 'button-2' }).ready);
  expect(err.anchor).toBe('mqtt-subscribe-refused');
  expect(err.message).toMatch(/refused the subscription to devices\/\+\/events\/button for "button-2"/);
});

test('a client id the certificate does not allow is refused with what to do', async () => {
  const err = await failure(watch({ clientId: 'someone-else' }).ready);
  expect(err.anchor).toBe('mqtt-refused');
  expect(err.message).toMatch(/client id "someone-else"/);
});

test('nothing listening on the port says to start the broker', async () => {
  const spare = createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  const freePort = (spare.address() as AddressInfo).port;
  await new Promise<void>((r) => spare.close(() => r()));
  const err = await failure(watch({ port: freePort }).ready);
  expect(err.anchor).toBe('mqtt-unreachable');
  expect(err.message).toBe(`Nothing is listening on 127.0.0.1:${freePort}: start the local broker with \`npm start\`, or pass the broker's --endpoint and --port.`);
});

test('close() is safe before ready settles and when called twice', async () => {
  const w = watch({});
  const closing = w.close();
  await closing;
  await w.close();
  await expect(w.ready).resolves.toBeUndefined();
});
