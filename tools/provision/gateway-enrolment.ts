// Gateway mode's host half: the thing's AWS identity (certificate and key, PEM, mode 0600) and its
// device secret go into the LAN gateway's store, which speaks mTLS to AWS for the device. It does
// not talk to the device or to AWS.
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addDevice, generateDeviceSecret, openDeviceStore } from '../gateway/device-store';
import { writeAtomic } from '../shared/write-atomic';
// The file names aws-setup writes and the gateway's upstream reads.
import { CERT_FILE, KEY_FILE, type Identity } from '../certificates';

/**
 * The secret the store already holds for `thing` (kept, so device and gateway always agree), or a
 * new one: with `rotate`, or when the thing is new or revoked.
 */
export function deviceSecretFor(store: string, thing: string, rotate = false): { secret: string; isNew: boolean } {
  const dev = openDeviceStore(store).get(thing);
  const known = dev && !dev.revoked && !rotate ? dev.secret : undefined;
  return known ? { secret: known, isNew: false } : { secret: generateDeviceSecret(), isNew: true };
}

/** Copies the identity into <store>/certs/<thing>/ and records the device with its topic prefix (default the contract's); returns that folder. */
export function enrolDevice(store: string, thing: string, secret: string, identity: Pick<Identity, 'certPem' | 'keyPem'>, topicPrefix?: string): string {
  const rel = join('certs', thing);
  const dir = join(resolve(store), rel);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeAtomic(join(dir, CERT_FILE), identity.certPem);
  writeAtomic(join(dir, KEY_FILE), identity.keyPem);
  // Relative to the store, so the store folder can move (device-store.ts resolves it).
  addDevice(store, { thing, secret, certDir: rel, topicPrefix });
  return dir;
}
