// A gateway on another computer: provision --enrol-file seals the device's identity and secret to
// the gateway it finds on the LAN (mDNS on loopback here), `gateway add FILE` imports it there, and
// the device's presses reach AWS through that gateway. Tampered, cut, foreign and repeated files are
// refused in one sentence, with the gateway's store byte for byte as it was.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Client } from 'aedes';
import { buildFirmware } from '../../tools/build/build-firmware';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { startGateway, type Gateway } from '../../tools/gateway/run';
import { addEnrolment } from '../../tools/gateway/add-enrolment';
import { ensureEnrolmentKey } from '../../tools/gateway/enrolment-key';
import { openDeviceStore } from '../../tools/gateway/device-store';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { run } from '../../tools/provision/run';
import { createMemoryLogger } from '../../tools/shared/log';
import { isUserError } from '../../tools/shared/errors';
import { createTempPki, type TempPki } from '../support/pki';

let temp: TempPki;
let broker: AwsLikeBroker;
let sim: RunningSimulator;
let gateway: Gateway;
let root: string;
const connected: string[] = [];
const mdns = { interface: '127.0.0.1', port: 20000 + Math.floor(Math.random() * 20000) };
let laptop: string; // where provision runs
let pi: string; // the gateway's computer
let enrolFile: string;

beforeAll(async () => {
  temp = createTempPki();
  root = mkdtempSync(join(tmpdir(), 'remote-enrol-'));
  laptop = join(root, 'laptop');
  pi = join(root, 'pi');
  mkdirSync(join(laptop, 'certs', 'button-9'), { recursive: true });
  mkdirSync(pi, { recursive: true });
  const id = temp.pki.client('button-9');
  writeFileSync(join(laptop, 'certs', 'button-9', 'certificate.pem.crt'), id.cert);
  writeFileSync(join(laptop, 'certs', 'button-9', 'private.pem.key'), id.key);
  broker = await startAwsLikeBroker({ port: 0, pki: temp.pki });
  broker.aedes.on('client', (c: Client) => connected.push(c.id));
  writeFileSync(join(laptop, 'certs', 'button-9', 'thing.json'), JSON.stringify({ thing: 'button-9', endpoint: '127.0.0.1', port: broker.port }));
  const bundle = readFileSync((await buildFirmware({ cwd: process.cwd(), outFile: join(root, 'firmware.js'), budgetBytes: 64 * 1024, log: () => {} })).outFile, 'latin1');
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266', bundle });
  gateway = await startGateway({ bind: '127.0.0.1', port: 0, store: join(pi, '.gateway'), upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: temp.pki.caPath }, advertise: mdns, log: () => {} });
}, 60000);

afterAll(async () => {
  await gateway.close();
  await sim.close();
  await broker.close();
  temp.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** Every file under `dir` with its bytes: the store "as it was". */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return out;
}

test('provision seals the enrolment to the gateway it finds; gateway add imports it there and the device connects through it', async () => {
  const log = createMemoryLogger();
  enrolFile = 'button-9.enrol';
  const r = await run(
    { cwd: laptop, thing: 'button-9', port: `tcp://127.0.0.1:${sim.port}`, enrolFile, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass' },
    { log, findPort: async (p?: string) => p!, env: { BUTTON_MDNS: `${mdns.interface}:${mdns.port}` } },
  );
  expect(r.mode).toBe('gateway');
  expect(r.mqtt).toEqual({ host: '127.0.0.1', port: gateway.port });
  const path = join(laptop, enrolFile);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  // The laptop's own store got nothing; the file holds no secret in clear.
  expect(existsSync(join(laptop, '.gateway', 'devices.json'))).toBe(false);
  const text = readFileSync(path, 'utf8');
  const secret = JSON.parse(sim.device.storage.read('config.json')!.toString()).gateway.secret as string;
  expect(text).not.toContain(secret);
  expect(text).not.toContain('PRIVATE KEY');
  expect(log.lines.join('\n')).toContain(`npm run gateway -- add ${enrolFile}`);

  const lines: string[] = [];
  const added = addEnrolment(path, join(pi, '.gateway'), (l) => lines.push(l));
  expect(added.thing).toBe('button-9');
  expect(openDeviceStore(join(pi, '.gateway')).get('button-9')!.secret).toBe(secret);
  expect(statSync(join(added.certDir, 'private.pem.key')).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(join(added.certDir, 'thing.json'), 'utf8')).endpoint).toBe('127.0.0.1');
  expect(lines.join('\n')).toMatch(/Added button-9 .*Delete/);
  // The running gateway takes the device without a restart: it reaches AWS as itself.
  for (let i = 0; i < 400 && !connected.includes('button-9'); i++) await new Promise((res) => setTimeout(res, 25));
  expect(connected).toContain('button-9');
}, 60000);

describe('gateway add refuses, in one sentence, and changes nothing in the store', () => {
  const refuse = (file: string, store: string): { anchor?: string; message: string } => {
    const before = snapshot(store);
    try {
      addEnrolment(file, store, () => {});
    } catch (e) {
      expect(snapshot(store)).toEqual(before);
      if (isUserError(e)) return { anchor: e.anchor, message: e.message };
      throw e;
    }
    throw new Error('imported');
  };
  const variant = (name: string, text: string) => {
    const p = join(root, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };

  test('the same file twice', () => {
    const f = refuse(join(laptop, enrolFile), join(pi, '.gateway'));
    expect(f.anchor).toBe('enrolment-imported');
    expect(f.message).toMatch(/already imported/);
  });

  test('a tampered file (one byte of the sealed data changed)', () => {
    const env = JSON.parse(readFileSync(join(laptop, enrolFile), 'utf8'));
    const data = Buffer.from(env.data, 'base64');
    data[10] ^= 1;
    const f = refuse(variant('tampered.enrol', JSON.stringify({ ...env, data: data.toString('base64') })), join(pi, '.gateway'));
    expect(f.anchor).toBe('enrolment-tampered');
    expect(f.message).toMatch(/changed or damaged since provision wrote it/);
  });

  test('a truncated file', () => {
    const text = readFileSync(join(laptop, enrolFile), 'utf8');
    const f = refuse(variant('cut.enrol', text.slice(0, text.length >> 1)), join(pi, '.gateway'));
    expect(f.anchor).toBe('enrolment-unreadable');
    expect(f.message).toMatch(/not a whole enrolment file/);
  });

  test('a file made for another gateway', () => {
    const other = join(root, 'other-gateway');
    ensureEnrolmentKey(other); // a second gateway: its store holds only its own key
    const f = refuse(join(laptop, enrolFile), other);
    expect(f.anchor).toBe('enrolment-other-gateway');
    expect(f.message).toMatch(/made for another gateway \([0-9a-f]{16}; this one is [0-9a-f]{16}\)/);
  });

  test('not an enrolment file at all', () => {
    const f = refuse(variant('other.json', JSON.stringify({ hello: 'world' })), join(pi, '.gateway'));
    expect(f.anchor).toBe('enrolment-unreadable');
  });
});
