// npm run update for a direct-TLS board, end to end: the AWS-like broker over real TLS (with its
// local Jobs store standing in for AWS IoT Jobs, reached through a mocked IoTClient), a virtual ESP32
// running the exact firmware from A/B slots, connected as the thing. The command creates the job,
// executes it as <thing>-update with the thing's certificate from certs/<thing>/ (Jobs MQTT API),
// streams the bundle over the board's ota topics, and reports the board's own verdict.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAbFiles, withVersion as withFwVersion, writeAbFlash, type AbFiles } from '../support/ab-files';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { ensureDevPki, pemToDer, type DevPki } from '../../tools/pki/dev-pki';
import { createVirtualDevice, type VirtualDevice } from '../../tools/simulator/device';
import { CA_FILE, CERT_FILE, KEY_FILE } from '../../tools/certificates';
import { createMemoryLogger } from '../../tools/shared/log';
import { run } from '../../tools/update/run';
import { version } from '../../package.json';
import { localControlPlane } from '../support/local-control-plane';
import { failure } from '../support/user-error';

let dir: string;
let fw: Buffer;
let files: AbFiles;
let pki: DevPki;
let broker: AwsLikeBroker;
const devices: VirtualDevice[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'update-direct-'));
  files = await buildAbFiles(dir);
  fw = files.fw;
  pki = ensureDevPki(join(dir, 'pki'));
  broker = await startAwsLikeBroker({ pki, port: 0 });
}, 60000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const withVersion = (v: string) => withFwVersion(fw, v);

/** What aws-setup and a direct-mode provision leave on the computer: certs/<thing>/ with thing.json saying direct. */
function project(thing: string): string {
  const cwd = join(dir, `project-${thing}`);
  const certs = join(cwd, 'certs', thing);
  mkdirSync(certs, { recursive: true });
  const id = pki.client(thing);
  writeFileSync(join(certs, CERT_FILE), id.cert);
  writeFileSync(join(certs, KEY_FILE), id.key, { mode: 0o600 });
  writeFileSync(join(certs, CA_FILE), pki.ca);
  writeFileSync(join(certs, 'thing.json'), JSON.stringify({ thing, endpoint: '127.0.0.1', port: broker.port, mode: 'direct' }));
  return cwd;
}

/** A virtual ESP32 flashed with the A/B layout and provisioned for direct TLS to the broker. */
function board(thing: string, lines: string[]): VirtualDevice {
  const d = createVirtualDevice({ profile: 'esp32', console: (t) => lines.push(...t.split('\n').filter((l) => l.trim())) });
  devices.push(d);
  const id = pki.client(thing);
  d.storage.write('key.der', pemToDer(id.key));
  d.storage.write('cert.der', pemToDer(id.cert));
  d.storage.write('ca.der', pemToDer(pki.ca));
  d.storage.write('config.json', JSON.stringify({ thing, wifi: { ssid: 'sim-ap', password: 'sim-pass' }, mqtt: { host: '127.0.0.1', port: broker.port, transport: 'tls' } }));
  writeAbFlash(d.storage, files);
  d.boot();
  return d;
}

const until = async (ok: () => boolean, ms: number, what: string) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A board of board()'s, once connected to the broker and subscribed to its ota topic; its console lines. */
async function connectedBoard(thing: string): Promise<string[]> {
  const lines: string[] = [];
  board(thing, lines);
  await until(() => lines.some((l) => l.startsWith('mqtt: connected')), 15000, 'the board to connect');
  await new Promise((r) => setTimeout(r, 300)); // its SUBSCRIBE to ota/in
  return lines;
}

async function update(thing: string, bundle: Buffer, v: string, stepTimeoutMs = 5000) {
  const cp = localControlPlane(broker.jobs, [thing]);
  const log = createMemoryLogger();
  try {
    const p = run({ cwd: project(thing), thing, region: 'eu-west-1' }, { log, iot: cp.client, build: async () => ({ bundle, version: v }), pollMs: 100, stop: new Promise(() => undefined), direct: { stepTimeoutMs, outcomeTimeoutMs: 30000 } });
    return { result: await p.catch((e: unknown) => e), log };
  } finally {
    cp.restore();
  }
}

test('update --thing X on a direct board: the command executes the job as the thing, the board switches, proves itself, and the job SUCCEEDED', async () => {
  const THING = 'esp32-direct-1';
  const lines = await connectedBoard(THING);
  const { result, log } = await update(THING, withVersion('0.2.0'), '0.2.0');
  expect(result).toMatchObject({ ended: 'done', outcomes: [{ thing: THING, status: 'SUCCEEDED', detail: 'running 0.2.0' }] });
  const jobId = (result as { jobId: string }).jobId;
  expect(broker.jobs.describeJobExecution(jobId, THING)).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.2.0', version: '0.2.0' } });
  expect(lines).toContain('boot: fw.b (trial 1 of 3)');
  expect(lines.some((l) => l.startsWith('espruino-aws-button 0.2.0'))).toBe(true);
  const out = log.lines.join('\n');
  expect(out).toContain(`${THING}: direct-TLS, so this command executes the job as the thing`);
  expect(out).toMatch(new RegExp(`${THING}: sending 0.2.0 50%`));
  // After the switch the trial is the news: no closing "100 %" report hides it.
  expect(out).toContain(`${THING}: switching to 0.2.0; waiting for it to prove itself (up to 3 boots)`);
  expect(out).not.toContain(`${THING}: sending 0.2.0 100%`);
  expect(out).toContain(`${THING}: SUCCEEDED (running 0.2.0)`);
}, 90000);

test('the board refuses the version it already runs: the job ends REJECTED with its reason, and the command fails', async () => {
  const THING = 'esp32-direct-2';
  const lines = await connectedBoard(THING);
  const { result, log } = await update(THING, fw, version);
  const e = await failure(Promise.reject(result));
  expect(e.anchor).toBe('update-failed');
  expect(e.message).toContain(`${THING} REJECTED: already running ${version}`);
  expect(log.lines).toContain(`${THING}: REJECTED (already running ${version})`);
}, 60000);

test("a job ahead in the thing's queue that is not a firmware update is REJECTED without touching the board; ours then runs", async () => {
  const THING = 'esp32-direct-3';
  const lines = await connectedBoard(THING);
  broker.jobs.createJob({ jobId: 'rotate-keys-1', targets: [THING], document: JSON.stringify({ operation: 'rotate-keys' }) });
  const { result, log } = await update(THING, withVersion('0.3.0'), '0.3.0');
  expect(result).toMatchObject({ ended: 'done', outcomes: [{ thing: THING, status: 'SUCCEEDED', detail: 'running 0.3.0' }] });
  expect(broker.jobs.describeJobExecution('rotate-keys-1', THING)).toMatchObject({ status: 'REJECTED', statusDetails: { detail: 'not a firmware update (operation is not "espruino-button-firmware-update")' } });
  expect(log.lines.join('\n')).toContain(`${THING}: job rotate-keys-1 rejected: not a firmware update`);
}, 90000);

test('a board that is offline: the job ends FAILED saying so, and the command fails', async () => {
  const THING = 'esp32-direct-offline';
  const { result } = await update(THING, withVersion('0.2.0'), '0.2.0', 300);
  const e = await failure(Promise.reject(result));
  expect(e.anchor).toBe('update-failed');
  expect(e.message).toContain(`${THING} FAILED: the device did not answer (offline?): run npm run update again once it is online`);
}, 30000);
