// The second client id aws-setup's policy gives a thing's certificate, <thing>-update (npm run update
// executing a direct board's job), as the AWS-like broker enforces it: only that thing's jobs and ota
// topics, never another thing's, never its events; and no other certificate may take the id.
import { connect, type MqttClient } from 'mqtt';
import type { ISubackPacket, Packet } from 'mqtt-packet';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { createTempPki, type TempPki } from '../support/pki';

let pki: TempPki;
let broker: AwsLikeBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  pki = createTempPki();
  broker = await startAwsLikeBroker({ pki: pki.pki, port: 0 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await broker?.close();
  pki?.cleanup();
});

/** Connects with `cn`'s certificate as `clientId`; resolves on CONNACK 0, rejects on a refusal. */
function connectAs(cn: string, clientId: string): Promise<MqttClient> {
  const c = connect({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', protocolVersion: 4, clientId, reconnectPeriod: 0, connectTimeout: 10000, ...pki.tlsFor(cn) });
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

function suback(c: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve) => {
    const onPacket = (p: Packet) => {
      if (p.cmd !== 'suback') return;
      c.off('packetreceive', onPacket);
      resolve((p as ISubackPacket).granted[0] as number);
    };
    c.on('packetreceive', onPacket);
    c.subscribe(topic, { qos: 1 }, () => undefined);
  });
}

test("<thing>-update with the thing's certificate: its jobs and ota topics only", async () => {
  const c = await connectAs('button-a', 'button-a-update');
  expect(await suback(c, '$aws/things/button-a/jobs/start-next/accepted')).toBe(1);
  expect(await suback(c, '$aws/things/button-a/jobs/+/update/accepted')).toBe(1);
  expect(await suback(c, 'devices/button-a/ota/out')).toBe(1);
  expect(await suback(c, 'devices/button-a/events/button')).toBe(128);
  expect(await suback(c, 'devices/button-b/ota/out')).toBe(128);
  expect(await suback(c, '$aws/things/button-b/jobs/start-next/accepted')).toBe(128);
});

test('another certificate cannot connect as <thing>-update', async () => {
  await expect(connectAs('button-b', 'button-a-update')).rejects.toMatchObject({ code: 5 });
});
