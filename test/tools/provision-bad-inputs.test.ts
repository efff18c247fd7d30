// Every bad input, and a device lost mid-write, gives one clear error and leaves the identity the
// device had working: its DER files intact and config.json unchanged (proved by reading Storage).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { run, type ProvisionOptions } from '../../tools/provision/run';
import { openTcpTransport } from '../../tools/device/tcp-transport';
import type { Transport } from '../../tools/device/link';
import { createMemoryLogger } from '../../tools/shared/log';
import { isUserError } from '../../tools/shared/errors';
import { makeCert, makeKey, makePki, type TestPki } from '../support/cert-fixtures';

let pki: TestPki;
let sim: RunningSimulator;
let cwd: string;
/** The working identity on the device before each bad run: file name -> bytes. */
let before: Map<string, Buffer>;

const port = () => `tcp://127.0.0.1:${sim.port}`;
const endpoint = 'a1b2c3-ats.iot.eu-west-1.amazonaws.com';
let n = 0;

/** A certs folder with the given PEM texts (omitted = the file is missing). */
function folder(files: { cert?: string; key?: string; ca?: string }): string {
  const dir = join(cwd, `case-${n++}`);
  mkdirSync(dir, { recursive: true });
  if (files.cert !== undefined) writeFileSync(join(dir, 'certificate.pem.crt'), files.cert);
  if (files.key !== undefined) writeFileSync(join(dir, 'private.pem.key'), files.key);
  if (files.ca !== undefined) writeFileSync(join(dir, 'AmazonRootCA1.pem'), files.ca);
  return dir;
}

function good(): { cert: string; key: string; ca: string } {
  const c = pki.client('button-1');
  return { cert: c.pem, key: c.key.pem, ca: pki.ca.pem };
}

function snapshot(): Map<string, Buffer> {
  return new Map(sim.device.storage.list().map((name) => [name, sim.device.storage.read(name)!]));
}

/** The old identity's files and config.json are byte-for-byte what they were. */
function expectOldIdentityIntact(): void {
  for (const [name, data] of before) {
    if (name === 'config.bak') continue; // written (verified) before config.json; may hold the new config
    expect([name, sim.device.storage.read(name)]).toEqual([name, data]);
  }
}

const opts = (dir: string, extra: Partial<ProvisionOptions> = {}): ProvisionOptions => ({ cwd, thing: 'button-1', dir, port: port(), endpoint, wifiSsid: 'net', wifiPassword: 'pass-word', ...extra });

/** A transport that, like a pulled cable, stops partway through the first line matching `pattern`. */
function pulledCable(pattern: string) {
  return async (p: string): Promise<Transport> => {
    const inner = await openTcpTransport(p);
    let closed: (why: string) => void = () => {};
    let cut = false;
    return {
      name: inner.name,
      write(d) {
        if (cut) return;
        const b = Buffer.from(d as Buffer);
        const i = b.toString('latin1').indexOf(pattern);
        if (i < 0) return inner.write(b);
        cut = true;
        inner.write(b.subarray(0, i + pattern.length + 200));
        void inner.close();
        closed('the cable was pulled');
      },
      onData: (fn) => inner.onData(fn),
      onClose: (fn) => {
        closed = fn;
        inner.onClose(fn);
      },
      close: () => inner.close(),
    };
  };
}

async function failure(o: ProvisionOptions, extraDeps: object = {}): Promise<{ anchor?: string; message: string }> {
  try {
    await run(o, { log: createMemoryLogger(), findPort: async (p?: string) => p!, ...extraDeps });
  } catch (e) {
    if (isUserError(e)) return { anchor: e.anchor, message: e.message };
    throw e;
  }
  throw new Error('provision succeeded, but it should have failed');
}

beforeAll(async () => {
  pki = makePki();
  makeKey('ec256');
  cwd = mkdtempSync(join(tmpdir(), 'provision-bad-'));
  // ESP32 profile: it has tls, so direct mode (DER files) is what the device runs.
  sim = await runSimulator({ consolePort: 0, profile: 'esp32' });
  await run(opts(folder(good())), { log: createMemoryLogger(), findPort: async (p?: string) => p! });
  before = snapshot();
  expect([...before.keys()].filter((f) => f.endsWith('.der'))).toHaveLength(3);
}, 60000);

afterAll(async () => {
  await sim.close();
  rmSync(cwd, { recursive: true, force: true });
});

interface BadCase {
  name: string;
  setup: () => ProvisionOptions;
  /** Extra provision deps for this case. */
  deps?: object;
  anchor: string;
  message: RegExp;
}

const cases: BadCase[] = [
  { name: 'a missing private key', setup: () => opts(folder({ cert: good().cert, ca: good().ca })), anchor: 'identity-missing', message: /No private key/ },
  { name: 'a garbage certificate', setup: () => opts(folder({ ...good(), cert: '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n' })), anchor: 'pem-invalid', message: /not a readable X\.509 certificate/ },
  {
    name: 'a key that does not belong to the certificate',
    setup: () => opts(folder({ ...good(), key: makeKey('rsa2048', true).pem })),
    anchor: 'key-cert-mismatch',
    message: /does not belong to the certificate/,
  },
  {
    name: 'an expired certificate',
    setup: () => opts(folder({ ...good(), cert: pki.client('button-1', { fromDays: -400, toDays: -5 }).pem })),
    anchor: 'cert-expired',
    message: /expired on/,
  },
  {
    name: 'an EC key where the device speaks TLS itself',
    setup: () => {
      const c = makeCert({ cn: 'button-1', key: makeKey('ec256') }, pki.ca);
      return opts(folder({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem }));
    },
    anchor: 'key-not-rsa2048',
    message: /EC key, which Espruino's TLS cannot use/,
  },
  { name: 'an endpoint written as a URL', setup: () => opts(folder(good()), { endpoint: 'https://a1b2c3-ats.iot.eu-west-1.amazonaws.com' }), anchor: 'endpoint-invalid', message: /leave out the scheme/ },
  { name: 'an endpoint with a space', setup: () => opts(folder(good()), { endpoint: 'a1b2c3 ats.iot.amazonaws.com' }), anchor: 'endpoint-invalid', message: /host name holds only/ },
  {
    name: 'gateway mode without --gateway, no gateway answering on the LAN and none remembered',
    setup: () => opts(folder(good()), { mode: 'gateway' }),
    deps: { findGateways: async () => [] },
    anchor: 'gateway-address-missing',
    message: /No gateway answered on the LAN: start `npm run gateway`.*--gateway HOST/,
  },
  {
    name: 'gateway mode without --gateway and two gateways answering',
    setup: () => opts(folder(good()), { mode: 'gateway' }),
    deps: { findGateways: async () => [{ name: 'a', host: '192.168.1.10', port: 1883 }, { name: 'b', host: '192.168.1.11', port: 1883 }] },
    anchor: 'gateway-ambiguous',
    message: /2 gateways answered on the LAN \(192\.168\.1\.10:1883, 192\.168\.1\.11:1883\): pass --gateway/,
  },
  {
    name: '--enrol-file naming a file that exists',
    setup: () => opts(folder(good()), { mode: 'gateway', gateway: '127.0.0.1', enrolFile: folder(good()) + '/certificate.pem.crt' }),
    anchor: 'enrol-file-exists',
    message: /already exists: give another --enrol-file name/,
  },
  {
    name: '--gateway-key that is not a key',
    setup: () => opts(folder(good()), { mode: 'gateway', gateway: '127.0.0.1', enrolFile: 'x.enrol', gatewayKey: 'abc' }),
    anchor: 'gateway-key-invalid',
    message: /not a 32-byte X25519 key/,
  },
  {
    name: '--enrol-file for a gateway that does not answer and no --gateway-key',
    setup: () => opts(folder(good()), { mode: 'gateway', gateway: '127.0.0.1', enrolFile: 'y.enrol' }),
    deps: { findGateways: async () => [] },
    anchor: 'gateway-key-missing',
    message: /No enrolment key for the gateway at 127\.0\.0\.1:1883.*--gateway-key/,
  },
  {
    name: '--enrol-file on a board that speaks TLS itself (direct mode)',
    setup: () => opts(folder(good()), { enrolFile: 'z.enrol' }),
    anchor: 'enrol-file-direct',
    message: /--enrol-file is for gateway mode/,
  },
  { name: 'a pin the device refuses', setup: () => opts(folder(good()), { pins: { led: 'D0' } }), anchor: 'config-invalid', message: /pins\.led may not be D0/ },
  { name: 'a keepalive AWS refuses', setup: () => opts(folder(good()), { keepaliveS: 5 }), anchor: 'config-invalid', message: /mqtt\.keepaliveS must be an integer 30\.\.1200/ },
];

test.each(cases)('$name: one clear error, old identity intact', async (c) => {
  const f = await failure(c.setup(), c.deps);
  expect(f.anchor).toBe(c.anchor);
  expect(f.message).toMatch(c.message);
  expectOldIdentityIntact();
}, 30000);

test('the cable pulled in the middle of writing the new key: a lost-device error, old identity intact', async () => {
  const f = await failure(opts(folder(newIdentity())), { openTransport: pulledCable('W("key-') });
  expect(f.anchor).toBe('device-disconnected');
  expectOldIdentityIntact();
}, 30000);

test('power lost while the new key is being written: no answer, and after reboot the old identity is intact', async () => {
  sim.device.storage.cutPowerDuringNextWrite(300);
  const f = await failure({ ...opts(folder(newIdentity())), timeoutMs: 1500 });
  expect(f.anchor).toBe('device-no-answer');
  expect(sim.device.poweredOn).toBe(false);
  sim.device.boot();
  expectOldIdentityIntact();
}, 30000);

test('Storage too full for the new identity: refused before anything is written', async () => {
  const free = Number(sim.device.evaluate('require("Storage").getFree()'));
  sim.device.storage.write('filler.bin', Buffer.alloc(free - 3000, 0x41));
  try {
    const f = await failure(opts(folder(newIdentity())));
    expect(f.anchor).toBe('storage-full');
    expectOldIdentityIntact();
  } finally {
    sim.device.storage.erase('filler.bin');
  }
}, 30000);

test('power lost while config.json itself is rewritten: config.bak holds the new config, whose files are all verified', async () => {
  // Small chunks split config.bak and config.json into separate lines, so the cut can hit config.json.
  let armed = false;
  const armOnConfigJson = async (p: string): Promise<Transport> => {
    const inner = await openTcpTransport(p);
    return {
      name: inner.name,
      write(d) {
        if (!armed && Buffer.from(d as Buffer).toString('latin1').includes('W("config.json"')) {
          armed = true;
          sim.device.storage.cutPowerDuringNextWrite(20);
        }
        inner.write(d);
      },
      onData: (fn) => inner.onData(fn),
      onClose: (fn) => inner.onClose(fn),
      close: () => inner.close(),
    };
  };
  const f = await failure({ ...opts(folder(newIdentity())), timeoutMs: 1500 }, { openTransport: armOnConfigJson, chunkBytes: 96 });
  expect(f.anchor).toBe('device-no-answer');
  sim.device.boot();
  const backup = JSON.parse(sim.device.storage.read('config.bak')!.toString());
  expect(() => JSON.parse(sim.device.storage.read('config.json')?.toString('latin1') ?? '')).toThrow();
  for (const name of [backup.tls.key, backup.tls.cert, backup.tls.ca]) expect(sim.device.storage.read(name)).toBeDefined();
  // The files the old config named are still there too: nothing is erased before config.json verifies.
  for (const [name, data] of before) if (name.endsWith('.der')) expect(sim.device.storage.read(name)).toEqual(data);
}, 30000);

/** A fresh valid identity for button-1 (new key, new certificate). */
function newIdentity(): { cert: string; key: string; ca: string } {
  const c = pki.client('button-1', { key: makeKey('rsa2048', true) });
  return { cert: c.pem, key: c.key.pem, ca: pki.ca.pem };
}
