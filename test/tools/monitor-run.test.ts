// The monitor command: what it prints for each event (text or JSON), how it stops, which identity
// it uses. A scripted watcher stands in for MQTT, except in the last test, which runs the real SDK
// against the AWS-like broker with the dev PKI's monitor identity, as `npm run monitor` does.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { amazonRootCa1Pem } from '../../tools/certificates';
import { startAwsLikeBroker } from '../../tools/broker/aws-like-broker';
import type { CloudWatcherOptions } from '../../tools/monitor/cloud-watcher';
import { run, MONITOR_CN, type MonitorDeps } from '../../tools/monitor/run';
import { ensureDevPki } from '../../tools/pki/dev-pki';
import { isUserError, UserError } from '../../tools/shared/errors';
import { createMemoryLogger } from '../../tools/shared/log';
import { makePki, makeTempDir, type TempDir } from '../support/cert-fixtures';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
let tmp: TempDir;
let files: { certPath: string; keyPath: string; caPath: string };

beforeAll(() => {
  tmp = makeTempDir('monitor-');
  const pki = makePki();
  const id = pki.client('monitor');
  files = { certPath: tmp.write('m.crt', id.pem), keyPath: tmp.write('m.key', id.key.pem), caPath: tmp.write('ca.pem', pki.ca.pem) };
});
afterAll(() => tmp.remove());

/** A watcher that delivers the scripted messages once "connected". */
function scripted(messages: [string, string][], seen: { opts?: CloudWatcherOptions; closed: number }): MonitorDeps['watch'] {
  return (opts, onMessage) => {
    seen.opts = opts;
    const ready = Promise.resolve().then(() => {
      for (const [t, p] of messages) onMessage(t, p);
    });
    return { ready, close: async () => void seen.closed++ };
  };
}

const ev = (seq: number, extra: object = {}) => JSON.stringify({ thing: 'button-1', seq, clickType: 'SINGLE', ts: T0 - 200, uptime: 5, fw: '0.1.0', ...extra });
const topic = 'devices/button-1/events/button';

test('prints a line per event with gaps, late arrivals and duplicates, and a summary on stderr', async () => {
  const log = createMemoryLogger();
  const seen: { opts?: CloudWatcherOptions; closed: number } = { closed: 0 };
  const msgs: [string, string][] = [
    [topic, ev(1)],
    [topic, ev(2, { ts: null })],
    [topic, ev(5)],
    [topic, ev(3)],
    [topic, ev(3)],
    [topic, 'garbage'],
    [topic, ev(6, { clickType: 'LONG' })],
  ];
  const summary = await run({ cwd: tmp.path, count: 6 }, { log, now: () => T0, devIdentity: () => files, watch: scripted(msgs, seen) });
  expect(log.outLines).toEqual([
    '12:00:00.000  button-1  SINGLE  seq 1  age 200 ms',
    '12:00:00.000  button-1  SINGLE  seq 2  age clock unset',
    '12:00:00.000  button-1  SINGLE  seq 5  age 200 ms  GAP: 2 missing (seq 3..4)',
    '12:00:00.000  button-1  SINGLE  seq 3  age 200 ms  LATE: fills an earlier gap',
    '12:00:00.000  button-1  SINGLE  seq 3  age 200 ms  DUPLICATE',
    'unreadable event on devices/button-1/events/button (payload is not JSON): garbage',
    '12:00:00.000  button-1  LONG    seq 6  age 200 ms',
  ]);
  expect(summary).toEqual({ events: 6, gaps: 1, missing: 2, late: 1, duplicates: 1, unreadable: 1 });
  expect(log.lines.at(-1)).toBe('6 events: 1 gaps (2 missing), 1 late, 1 duplicates, 1 unreadable.');
  expect(seen.closed).toBe(1);
  expect(seen.opts).toMatchObject({ endpoint: '127.0.0.1', port: 8883, clientId: 'monitor', topics: ['devices/+/events/button'], ...files });
});

test('--json prints one JSON object per line on stdout, and nothing else there', async () => {
  const log = createMemoryLogger();
  const msgs: [string, string][] = [
    [topic, ev(1)],
    [topic, ev(3)],
    ['devices/button-1/status', 'online'],
  ];
  await run({ cwd: tmp.path, json: true, count: 2, topics: ['devices/+/events/button', 'devices/+/status'] }, { log, now: () => T0, devIdentity: () => files, watch: scripted(msgs, { closed: 0 }) });
  const lines = log.outLines.map((l) => JSON.parse(l));
  expect(lines.map((l) => l.flag)).toEqual(['first', 'gap', undefined]);
  expect(lines[1]).toMatchObject({ thing: 'button-1', seq: 3, ageMs: 200, missed: 1 });
  expect(lines[2]).toEqual({ receivedAt: '2026-11-25T12:00:00.000Z', topic: 'devices/button-1/status', payload: 'online' });
});

test('stops when asked and closes the connection', async () => {
  const seen = { closed: 0 };
  const summary = await run({ cwd: tmp.path }, { log: createMemoryLogger(), devIdentity: () => files, stop: Promise.resolve(), watch: scripted([], seen) });
  expect(summary.events).toBe(0);
  expect(seen.closed).toBe(1);
});

test('Ctrl-C while still connecting stops once the attempt ends, without waiting for events', async () => {
  let connect: () => void = () => undefined;
  let closed = 0;
  const slow: MonitorDeps['watch'] = () => {
    const ready = new Promise<void>((r) => (connect = r));
    return { ready, close: async () => void (await ready, closed++) };
  };
  const log = createMemoryLogger();
  const running = run({ cwd: tmp.path }, { log, devIdentity: () => files, stop: Promise.resolve(), watch: slow });
  await new Promise<void>((r) => setImmediate(r));
  connect();
  await running;
  expect(closed).toBe(1);
  expect(log.lines.join('\n')).toMatch(/Stopping once the connection attempt ends/);
});

test('a failed connection closes the watcher and surfaces its UserError', async () => {
  let closed = 0;
  const failing: MonitorDeps['watch'] = () => {
    const ready = Promise.reject(new UserError('Nothing is listening on 127.0.0.1:8883: start the local broker with `npm start`.', 'mqtt-unreachable'));
    ready.catch(() => undefined);
    return { ready, close: async () => void closed++ };
  };
  await expect(run({ cwd: tmp.path }, { log: createMemoryLogger(), devIdentity: () => files, stop: new Promise(() => undefined), watch: failing })).rejects.toThrow(/Nothing is listening/);
  expect(closed).toBe(1);
});

test('a remote endpoint needs an explicit identity, never a default one', async () => {
  const err = await run({ cwd: tmp.path, endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com' }, { log: createMemoryLogger(), watch: scripted([], { closed: 0 }) }).catch((e: unknown) => e);
  expect(isUserError(err)).toBe(true);
  expect((err as UserError).anchor).toBe('monitor-identity');
  expect((err as UserError).message).toMatch(/--cert, --key and --ca/);
});

test("explicit files are used as given, with the certificate's CN as client id", async () => {
  const seen: { opts?: CloudWatcherOptions; closed: number } = { closed: 0 };
  await run({ cwd: tmp.path, cert: files.certPath, key: files.keyPath, ca: files.caPath, endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com' }, {
    log: createMemoryLogger(),
    stop: Promise.resolve(),
    watch: scripted([], seen),
  });
  expect(seen.opts).toMatchObject({ clientId: 'monitor', endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', ...files });
});

test('end to end: the default identity from the dev PKI, the real SDK and the AWS-like broker', async () => {
  const dir = makeTempDir('monitor-e2e-');
  const pki = ensureDevPki(`${dir.path}/certs/dev`);
  const broker = await startAwsLikeBroker({ port: 0, host: '127.0.0.1', pki, observers: ['observer', MONITOR_CN] });
  const id = pki.client('button-7');
  const button = await mqtt.connectAsync({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', clientId: 'button-7', cert: id.cert, key: id.key, ca: pki.ca, protocolVersion: 4, reconnectPeriod: 0 });
  try {
    const log = createMemoryLogger();
    const subscribed = new Promise<void>((r) => broker.aedes.on('subscribe', (_s, c) => c?.id === MONITOR_CN && r()));
    const running = run({ cwd: dir.path, port: broker.port, json: true, count: 2 }, { log });
    await subscribed;
    await button.publishAsync('devices/button-7/events/button', JSON.stringify({ thing: 'button-7', seq: 10, clickType: 'DOUBLE', ts: null }), { qos: 1 });
    await button.publishAsync('devices/button-7/events/button', JSON.stringify({ thing: 'button-7', seq: 12, clickType: 'SINGLE', ts: null }), { qos: 1 });
    const summary = await running;
    expect(summary).toMatchObject({ events: 2, gaps: 1, missing: 1 });
    expect(log.outLines.map((l) => JSON.parse(l)).map((e) => [e.thing, e.seq, e.flag, e.ageMs])).toEqual([
      ['button-7', 10, 'first', null],
      ['button-7', 12, 'gap', null],
    ]);
  } finally {
    await button.endAsync();
    await broker.close();
    dir.remove();
  }
});

test("with nothing given, it watches AWS IoT as the cloud watcher aws-setup made: its endpoint, certificate, client id and Node's Amazon Root CA 1", async () => {
  const cwd = makeTempDir('monitor-watcher-');
  try {
    mkdirSync(join(cwd.path, 'certs/cloud-watcher'), { recursive: true });
    cwd.write('certs/cloud-watcher/certificate.pem.crt', readFileSync(files.certPath, 'utf8'));
    cwd.write('certs/cloud-watcher/private.pem.key', readFileSync(files.keyPath, 'utf8'));
    cwd.write('certs/cloud-watcher/watcher.json', JSON.stringify({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883, clientId: 'button-monitor', certificateId: 'x', certificateArn: 'y', policyName: 'button-monitor-policy' }));
    const seen: { opts?: CloudWatcherOptions; closed: number } = { closed: 0 };
    const log = createMemoryLogger();
    await run({ cwd: cwd.path, count: 1 }, { log, watch: scripted([[topic, ev(1)]], seen) });
    expect(seen.opts).toMatchObject({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883, clientId: 'button-monitor', caPath: undefined });
    expect(seen.opts!.certPath).toBe(join(cwd.path, 'certs/cloud-watcher/certificate.pem.crt'));
    expect(seen.opts!.ca).toBe(amazonRootCa1Pem());
    expect(log.lines.join('\n')).toMatch(/cloud watcher identity aws-setup made \(certs\/cloud-watcher, client id button-monitor\)/);
    // --endpoint 127.0.0.1 still means the local broker, with the dev identity.
    const local: { opts?: CloudWatcherOptions; closed: number } = { closed: 0 };
    await run({ cwd: cwd.path, count: 1, endpoint: '127.0.0.1' }, { log: createMemoryLogger(), devIdentity: () => files, watch: scripted([[topic, ev(1)]], local) });
    expect(local.opts!.certPath).toBe(files.certPath);
  } finally {
    cwd.remove();
  }
});
