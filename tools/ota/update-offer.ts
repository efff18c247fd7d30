// What the host tells a device before an update (the "begin" message): version, length, CRC-32,
// and in gateway mode the HMAC the device checks with its own secret. It does not send anything.
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from '../device/crc32';

export interface UpdateOffer {
  v: string;
  n: number;
  crc: number;
  /** HMAC-SHA1(device secret, "ota|" + v + "|" + n + "|" + hex SHA-1 of the bundle); gateway mode only. */
  mac?: string;
  /** 1: the device may install an older version. */
  down?: number;
}

/** The HMAC the device recomputes (firmware/ota/receiver.ts): the key is the secret's text. */
export function updateMac(secret: string, version: string, bundle: Buffer): string {
  const digest = createHash('sha1').update(bundle).digest('hex');
  return createHmac('sha1', Buffer.from(secret, 'latin1')).update(`ota|${version}|${bundle.length}|${digest}`).digest('hex');
}

export function makeOffer(bundle: Buffer, version: string, secret?: string, allowDowngrade = false): UpdateOffer {
  const o: UpdateOffer = { v: version, n: bundle.length, crc: crc32(bundle) };
  if (secret) o.mac = updateMac(secret, version, bundle);
  if (allowDowngrade) o.down = 1;
  return o;
}
