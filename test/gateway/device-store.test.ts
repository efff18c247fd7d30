// The gateway store: devices.json and secret files at mode 0600, atomic updates, the counter that
// guards against replay surviving a reopen, and readable refusals for a corrupt store.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '../../tools/shared/errors';
import { addDevice, generateDeviceSecret, openDeviceStore } from '../../tools/gateway/device-store';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'gw-store-')), 'store');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

test('generateDeviceSecret gives 32 random bytes as 64 lower-case hex characters', () => {
  const a = generateDeviceSecret();
  expect(a).toMatch(/^[0-9a-f]{64}$/);
  expect(generateDeviceSecret()).not.toBe(a);
});

test('addDevice writes devices.json and the secret file at mode 0600 in a 0700 folder', () => {
  const secret = generateDeviceSecret();
  addDevice(dir, { thing: 'b1', secret, certDir: 'certs/b1' });
  expect(JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8'))).toEqual({ b1: { certDir: 'certs/b1', counter: 0 } });
  expect(readFileSync(join(dir, 'secrets', 'b1'), 'utf8').trim()).toBe(secret);
  expect(mode(join(dir, 'devices.json'))).toBe(0o600);
  expect(mode(join(dir, 'secrets', 'b1'))).toBe(0o600);
  expect(mode(dir)).toBe(0o700);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('the store resolves a relative certDir against itself and returns the secret', () => {
  const secret = generateDeviceSecret();
  addDevice(dir, { thing: 'b1', secret, certDir: 'certs/b1' });
  addDevice(dir, { thing: 'b2', secret: generateDeviceSecret(), certDir: '/abs/b2' });
  const store = openDeviceStore(dir);
  expect(store.things().sort()).toEqual(['b1', 'b2']);
  expect(store.get('b1')).toEqual({ thing: 'b1', certDir: join(dir, 'certs/b1'), counter: 0, secret, topicPrefix: 'devices' });
  expect(store.get('b2')?.certDir).toBe('/abs/b2');
  expect(store.get('nobody')).toBeUndefined();
  expect(store.get('../secrets')).toBeUndefined();
});

test('a recorded counter survives reopening the store and never goes down', () => {
  addDevice(dir, { thing: 'b1', secret: generateDeviceSecret(), certDir: 'c' });
  openDeviceStore(dir).recordCounter('b1', 7);
  openDeviceStore(dir).recordCounter('b1', 3);
  expect(openDeviceStore(dir).get('b1')?.counter).toBe(7);
  expect(mode(join(dir, 'devices.json'))).toBe(0o600);
});

test('adding a device again keeps its counter with the same secret and resets it with a new one', () => {
  const secret = generateDeviceSecret();
  addDevice(dir, { thing: 'b1', secret, certDir: 'c' });
  openDeviceStore(dir).recordCounter('b1', 9);
  addDevice(dir, { thing: 'b1', secret, certDir: 'c2' });
  expect(openDeviceStore(dir).get('b1')).toMatchObject({ counter: 9, certDir: join(dir, 'c2') });
  addDevice(dir, { thing: 'b1', secret: generateDeviceSecret(), certDir: 'c2' });
  expect(openDeviceStore(dir).get('b1')?.counter).toBe(0);
});

test('bad thing names and secrets are refused as UserErrors', () => {
  expect(() => addDevice(dir, { thing: 'a/b', secret: generateDeviceSecret(), certDir: 'c' })).toThrow(/not a valid thing name/);
  expect(() => addDevice(dir, { thing: 'ok', secret: 'short', certDir: 'c' })).toThrow(/64 lower-case hex/);
});

test('a corrupt devices.json is a UserError that says what to do', () => {
  addDevice(dir, { thing: 'b1', secret: generateDeviceSecret(), certDir: 'c' });
  writeFileSync(join(dir, 'devices.json'), '{ not json');
  let err: unknown;
  try {
    openDeviceStore(dir).things();
  } catch (e) {
    err = e;
  }
  expect(isUserError(err)).toBe(true);
  expect((err as Error).message).toMatch(/not valid JSON: restore it/);
  writeFileSync(join(dir, 'devices.json'), '{"b1": {"counter": -1}}');
  expect(() => openDeviceStore(dir).get('b1')).toThrow(/does not list devices/);
});

test('the store records a non-default topic prefix, and refuses one the device could not use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'));
  try {
    addDevice(dir, { thing: 'p1', secret: generateDeviceSecret(), certDir: 'certs/p1', topicPrefix: 'plant-7/buttons' });
    expect(openDeviceStore(dir).get('p1')?.topicPrefix).toBe('plant-7/buttons');
    expect(() => addDevice(dir, { thing: 'p2', secret: generateDeviceSecret(), certDir: 'certs/p2', topicPrefix: 'a/+/b' })).toThrow(/topic prefix "a\/\+\/b" must be 1\.\.64 characters/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
