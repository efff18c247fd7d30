// The gateway's enrolment key pair (X25519), made once in its store (enrolment-key.pem, 0600):
// provision seals enrolment files to its public half, which the gateway announces on the LAN and
// prints at start. It does not open files (tools/shared/enrolment-file.ts does).
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeAtomic } from '../shared/write-atomic';
import { gatewayId, rawPublicKey } from '../shared/enrolment-file';

const KEY_FILE = 'enrolment-key.pem';

export interface EnrolmentKey {
  privateKey: KeyObject;
  /** Raw X25519 public key, base64. */
  publicKey: string;
  id: string;
}

export function ensureEnrolmentKey(store: string): EnrolmentKey {
  const dir = resolve(store);
  const path = join(dir, KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const pair = generateKeyPairSync('x25519');
    writeAtomic(path, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  const privateKey = createPrivateKey(readFileSync(path));
  const publicKey = rawPublicKey(privateKey);
  return { privateKey, publicKey, id: gatewayId(publicKey) };
}
