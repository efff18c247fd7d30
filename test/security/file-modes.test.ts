// Files holding a private key or a device secret are 0600 (their folders 0700), whoever writes
// them: the dev PKI, aws-setup, the gateway store, provision's gateway enrolment. Run with umask 0,
// so a mode only counts when the code sets it, not when a strict umask happens to.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../../tools/pki/dev-pki';
import { addDevice, generateDeviceSecret, openDeviceStore } from '../../tools/gateway/device-store';
import { enrolDevice } from '../../tools/provision/gateway-enrolment';
import { writePrivateKey } from '../../tools/aws-setup/local-folder';
import { createVirtualDevice } from '../../tools/simulator/device';

let dir: string;
let oldMask: number;
beforeAll(() => {
  oldMask = process.umask(0);
  dir = mkdtempSync(join(tmpdir(), 'modes-'));
});
afterAll(() => {
  process.umask(oldMask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';

test('the dev PKI writes every private key 0600 and its certificates world-readable', () => {
  const pki = ensureDevPki(join(dir, 'pki'));
  const thing = pki.client('mode-thing');
  for (const p of [join(pki.dir, 'ca.key'), pki.server.keyPath, thing.keyPath]) expect([p, mode(p)]).toEqual([p, 0o600]);
  for (const p of [pki.caPath, pki.server.certPath, thing.certPath]) expect(mode(p) & 0o044).toBe(0o044);
});

test('aws-setup writes the private key 0600 in a 0700 folder', () => {
  const d = join(dir, 'aws', 'certs', 'mode-thing');
  const p = writePrivateKey(d, PEM_KEY);
  expect(mode(p)).toBe(0o600);
  expect(mode(d)).toBe(0o700);
});

test("the gateway store keeps each device secret and devices.json 0600, in 0700 folders, also when rewritten over a wider file", () => {
  const store = join(dir, 'store');
  const secret = generateDeviceSecret();
  addDevice(store, { thing: 'mode-gw', secret, certDir: 'certs/mode-gw' });
  const secretFile = join(store, 'secrets', 'mode-gw');
  expect(readFileSync(secretFile, 'utf8').trim()).toBe(secret);
  for (const p of [secretFile, join(store, 'devices.json')]) expect([p, mode(p)]).toEqual([p, 0o600]);
  for (const p of [store, join(store, 'secrets')]) expect([p, mode(p)]).toEqual([p, 0o700]);
  // Someone widened them; the next write narrows them again.
  chmodSync(secretFile, 0o644);
  chmodSync(join(store, 'devices.json'), 0o644);
  openDeviceStore(store).recordCounter('mode-gw', 5);
  addDevice(store, { thing: 'mode-gw', secret: generateDeviceSecret(), certDir: 'certs/mode-gw' });
  for (const p of [secretFile, join(store, 'devices.json')]) expect([p, mode(p)]).toEqual([p, 0o600]);
});

test("provision's gateway enrolment stores the thing's AWS key (and certificate) 0600 in a 0700 folder", () => {
  const store = join(dir, 'enrol');
  const certDir = enrolDevice(store, 'mode-enrol', generateDeviceSecret(), { certPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', keyPem: PEM_KEY });
  expect(mode(join(certDir, 'private.pem.key'))).toBe(0o600);
  expect(mode(join(certDir, 'certificate.pem.crt'))).toBe(0o600);
  expect(mode(certDir)).toBe(0o700);
  expect(mode(join(store, 'secrets', 'mode-enrol'))).toBe(0o600);
});

// A persisted virtual flash image (`npm start -- --flash FILE`, `npm run simulator -- --flash FILE`)
// holds config.json with the Wi-Fi password and the device secret, and key.der: it is 0600.
test('a persisted virtual flash image, which holds the secrets, is created 0600', async () => {
  const file = join(dir, 'device.flash');
  const d = createVirtualDevice({ profile: 'esp8266', flashFile: file });
  try {
    d.storage.write('config.json', JSON.stringify({ wifi: { password: 'pw-in-flash' }, gateway: { secret: generateDeviceSecret() } }));
  } finally {
    await d.close();
  }
  expect(mode(file)).toBe(0o600);
});
