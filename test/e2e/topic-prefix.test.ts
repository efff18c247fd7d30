// A non-default topic prefix end to end, both paths: provision writes it to the device (direct: from
// aws-setup's thing.json; gateway: from --topic-prefix, recorded in the gateway's store), the
// AWS-like broker enforces it as the account's policy would, the gateway lets the device publish
// under it, `monitor --topic-prefix` sees the press, and aws-setup's policy allows that very topic.
import { join } from 'node:path';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { startGateway } from '../../tools/gateway/run';
import { openDeviceStore } from '../../tools/gateway/device-store';
import type { RunningSimulator } from '../../tools/simulator/run';
import { run as provision } from '../../tools/provision/run';
import { run as monitor, type MonitorSummary } from '../../tools/monitor/run';
import { leastPrivilegePolicy } from '../../tools/aws-setup/policy';
import { createMemoryLogger } from '../../tools/shared/log';
import { eventTopic } from '../../firmware/core/wire-contract';
import { createProvisionBench, until, type ProvisionBench } from '../support/provision-bench';

const PREFIX = 'plant-7/buttons';
let bench: ProvisionBench;
let broker: AwsLikeBroker;
const brokerLog: string[] = [];

beforeAll(async () => {
  bench = await createProvisionBench('prefix-test');
  // The account's policy for this prefix (aws-setup --topic-prefix); `monitor` watches as an observer.
  broker = await startAwsLikeBroker({ port: 0, pki: bench.temp.pki, topicPrefix: PREFIX, observers: ['monitor'], log: (l) => brokerLog.push(l) });
}, 60000);

afterAll(async () => {
  await bench.close();
  await broker.close();
});

/** `npm run monitor -- --topic-prefix PREFIX --count 1`, as the dev PKI's monitor identity. */
function watchOne(): { summary: Promise<MonitorSummary>; out: string[]; status: string[] } {
  const log = createMemoryLogger();
  const id = bench.temp.pki.client('monitor');
  const summary = monitor(
    { cwd: bench.cwd, port: broker.port, topicPrefix: PREFIX, count: 1, json: true },
    { log, devIdentity: () => ({ certPath: id.certPath, keyPath: id.keyPath, caPath: bench.temp.pki.caPath }), stop: new Promise(() => undefined) },
  );
  return { summary, out: log.outLines, status: log.lines };
}

/** Whether aws-setup's policy for PREFIX lets `thing` publish on `topic` (its resource patterns, AWS-style `*`). */
function policyAllowsPublish(thing: string, topic: string): boolean {
  const doc = leastPrivilegePolicy({ partition: 'aws', region: 'r', account: '1' }, PREFIX);
  const stmt = doc.Statement.find((s) => ([] as string[]).concat(s.Action).includes('iot:Publish'))!;
  return ([] as string[]).concat(stmt.Resource).some((r) => {
    const pattern = r.replace('${iot:Connection.Thing.ThingName}', thing).replace(/^arn:aws:iot:r:1:topic\//, '');
    return new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$').test(topic);
  });
}

async function pressAndSee(sim: RunningSimulator, thing: string): Promise<void> {
  const w = watchOne();
  // The event is not retained: the watcher must have subscribed before the press.
  await until('monitor subscribed', () => w.status.some((l) => l.includes(`Watching ${PREFIX}/+/events/button`)));
  await sim.device.press(80);
  const summary = await w.summary;
  expect(summary.events).toBe(1);
  const seen = JSON.parse(w.out[0]);
  expect(seen.topic).toBe(eventTopic(PREFIX, thing));
  expect(seen.thing).toBe(thing);
  expect(policyAllowsPublish(thing, seen.topic)).toBe(true);
  expect(brokerLog.filter((l) => l.includes('not allowed'))).toEqual([]);
}

test('direct TLS: the prefix aws-setup recorded reaches the device, the broker enforcing it lets the press through, monitor sees it', async () => {
  const sim = await bench.device('esp32');
  bench.identityFolder('prefix-direct', { thing: 'prefix-direct', endpoint: '127.0.0.1', port: broker.port, topicPrefix: PREFIX });
  await provision({ cwd: bench.cwd, thing: 'prefix-direct', port: `tcp://127.0.0.1:${sim.port}`, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass' }, { log: createMemoryLogger(), findPort: async (p?: string) => p! });
  expect(JSON.parse(sim.device.storage.read('config.json')!.toString()).mqtt.topicPrefix).toBe(PREFIX);
  await pressAndSee(sim, 'prefix-direct');
}, 60000);

test('gateway mode: provision --topic-prefix goes to the device and the gateway store, and the gateway forwards under it', async () => {
  const sim = await bench.device('esp8266');
  bench.identityFolder('prefix-gw');
  const store = join(bench.cwd, '.gateway');
  const gwLog: string[] = [];
  const gateway = await startGateway({ bind: '127.0.0.1', port: 0, store, upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: bench.temp.pki.caPath }, log: (l) => gwLog.push(l) });
  try {
    await provision(
      { cwd: bench.cwd, thing: 'prefix-gw', port: `tcp://127.0.0.1:${sim.port}`, gateway: `127.0.0.1:${gateway.port}`, gatewayStore: store, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass', topicPrefix: PREFIX },
      { log: createMemoryLogger(), findPort: async (p?: string) => p! },
    );
    expect(JSON.parse(sim.device.storage.read('config.json')!.toString()).mqtt.topicPrefix).toBe(PREFIX);
    expect(openDeviceStore(store).get('prefix-gw')!.topicPrefix).toBe(PREFIX);
    await until('the gateway connects prefix-gw', () => gwLog.some((l) => l.startsWith('connected prefix-gw')));
    await pressAndSee(sim, 'prefix-gw');
    expect(gwLog.filter((l) => /refused|dropped/.test(l))).toEqual([]);
  } finally {
    await gateway.close();
  }
}, 60000);
