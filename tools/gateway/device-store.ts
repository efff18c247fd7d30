// The gateway's store: a directory with devices.json (thing -> certificate folder and highest
// CONNECT counter accepted) and one secret file per device, all mode 0600, written atomically.
// It does not cache: every lookup reads the files, so devices added while the gateway runs count.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../shared/errors';
import { writeAtomic } from '../shared/write-atomic';
import { checkThingName, THING_NAME } from '../certificates/thing-name';
import { Topic, topicPrefixProblem } from '../../firmware/core/wire-contract';

export { DEFAULT_STORE_DIR } from './store-dir';
const DEVICES = 'devices.json';
const SECRET = /^[0-9a-f]{64}$/;

const devicesSchema = z.record(
  z.string().regex(THING_NAME),
  z.object({ certDir: z.string().min(1), counter: z.number().int().min(0), topicPrefix: z.string().refine((p) => !topicPrefixProblem(p)).optional(), revoked: z.literal(true).optional() }),
);
type Devices = z.infer<typeof devicesSchema>;

export interface Device {
  thing: string;
  /** Absolute folder holding certificate.pem.crt and private.pem.key for the thing. */
  certDir: string;
  /** Highest CONNECT counter accepted so far (0: none yet). */
  counter: number;
  secret: string;
  /** The topic prefix it was provisioned with (config mqtt.topicPrefix): its topics are `<prefix>/<thing>/...`. */
  topicPrefix: string;
  /** Revoked with `npm run gateway -- revoke`: every CONNECT is refused until it is provisioned again. */
  revoked?: true;
}

/** 32 random bytes as 64 lower-case hex characters: what the device stores and keys HMAC with. */
export function generateDeviceSecret(): string {
  return randomBytes(32).toString('hex');
}

function secretPath(dir: string, thing: string): string {
  return join(dir, 'secrets', thing);
}

function ensureDir(dir: string): void {
  mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  chmodSync(join(dir, 'secrets'), 0o700);
}

function readDevices(dir: string): Devices {
  const path = join(dir, DEVICES);
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError(`${path} is not valid JSON: restore it from a backup, or delete it and add the devices again.`, 'gateway-store-corrupt');
  }
  const parsed = devicesSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError(`${path} does not list devices as {"<thing>": {"certDir", "counter", "topicPrefix"?}}: fix it, or delete it and add the devices again.`, 'gateway-store-corrupt');
  }
  return parsed.data;
}

// The folders exist: addDevice made them before the first write (and recordCounter only updates a device it added).
function writeDevices(dir: string, devices: Devices): void {
  writeAtomic(join(dir, DEVICES), JSON.stringify(devices, null, 2) + '\n');
}

/**
 * Adds or updates a device. `certDir` relative paths are taken relative to the store directory
 * (so a store holding `certs/<thing>/` can move). A new secret resets the counter: a device
 * provisioned again starts counting from 1.
 */
export function addDevice(store: string, d: { thing: string; secret: string; certDir: string; topicPrefix?: string }): void {
  checkThingName(d.thing);
  if (!SECRET.test(d.secret)) throw new UserError('A device secret is 64 lower-case hex characters: make one with generateDeviceSecret().');
  const prefix = d.topicPrefix ?? Topic.DefaultPrefix;
  if (topicPrefixProblem(prefix)) throw new UserError(`The topic prefix "${prefix}" ${topicPrefixProblem(prefix)}: pass a valid --topic-prefix.`, 'config-invalid');
  const dir = resolve(store);
  ensureDir(dir);
  const devices = readDevices(dir);
  const old = devices[d.thing];
  const sameSecret = old !== undefined && readSecret(dir, d.thing) === d.secret;
  writeAtomic(secretPath(dir, d.thing), d.secret + '\n');
  // The default prefix is not written, so stores made before prefixes were recorded read the same.
  // Provisioning again (with a new secret: deviceSecretFor never reuses a revoked one) lifts a revocation.
  devices[d.thing] = { certDir: d.certDir, counter: sameSecret ? old.counter : 0, ...(prefix === Topic.DefaultPrefix ? {} : { topicPrefix: prefix }) };
  writeDevices(dir, devices);
}

/**
 * Revokes a device: its secret file is erased and it is marked revoked, so its CONNECTs are refused
 * (a running gateway also closes its session: it watches devices.json). Nothing else is removed.
 */
export function revokeDevice(store: string, thing: string): { already: boolean } {
  const dir = resolve(store);
  const devices = readDevices(dir);
  const rec = Object.prototype.hasOwnProperty.call(devices, thing) ? devices[thing] : undefined;
  if (!rec) {
    const known = Object.keys(devices);
    throw new UserError(
      `${JSON.stringify(thing)} is not a device of the gateway store ${dir} (${known.length ? `it has ${known.join(', ')}` : 'it has none'}): check the thing name, or pass --store.`,
      'gateway-unknown-thing',
    );
  }
  const already = rec.revoked === true;
  rec.revoked = true;
  writeDevices(dir, devices);
  rmSync(secretPath(dir, thing), { force: true });
  return { already };
}

function readSecret(dir: string, thing: string): string | undefined {
  try {
    return readFileSync(secretPath(dir, thing), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface DeviceStore {
  dir: string;
  things(): string[];
  /** The device with its secret, or undefined when it is unknown or its secret file is missing. */
  get(thing: string): Device | undefined;
  /** Persists a newly accepted counter (before the CONNACK goes out). */
  recordCounter(thing: string, counter: number): void;
}

export function openDeviceStore(store: string): DeviceStore {
  const dir = resolve(store);
  return {
    dir,
    things: () => Object.keys(readDevices(dir)),
    get(thing) {
      if (!THING_NAME.test(thing)) return undefined;
      const rec = readDevices(dir)[thing];
      const secret = rec ? readSecret(dir, thing) : undefined;
      if (rec?.revoked) return { thing, certDir: rec.certDir, counter: rec.counter, secret: '', topicPrefix: rec.topicPrefix ?? Topic.DefaultPrefix, revoked: true };
      if (!rec || !secret) return undefined;
      return { thing, certDir: isAbsolute(rec.certDir) ? rec.certDir : join(dir, rec.certDir), counter: rec.counter, secret, topicPrefix: rec.topicPrefix ?? Topic.DefaultPrefix };
    },
    recordCounter(thing, counter) {
      // Read-modify-write in one synchronous step: no other CONNECT can interleave in this process.
      const devices = readDevices(dir);
      const rec = devices[thing];
      if (!rec) return;
      if (rec.revoked) return;
      rec.counter = Math.max(rec.counter, counter);
      writeDevices(dir, devices);
    },
  };
}
