// `npm run gateway -- add FILE`: imports an enrolment file that provision wrote on another computer
// into this gateway's store (identity 0600, device secret, endpoint), once. Every refusal is one
// sentence and leaves the store as it was. It does not talk to devices or AWS.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../shared/errors';
import { writeAtomic } from '../shared/write-atomic';
import { openEnrolment } from '../shared/enrolment-file';
import { checkThingName } from '../certificates/thing-name';
import { enrolDevice } from '../provision/gateway-enrolment';
import { ensureEnrolmentKey } from './enrolment-key';

const IMPORTED = 'imported.json';

export interface AddResult {
  thing: string;
  certDir: string;
}

function readImported(store: string): string[] {
  const path = join(store, IMPORTED);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function addEnrolment(file: string, storeDir: string, log: (line: string) => void): AddResult {
  const store = resolve(storeDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}: check the path (provision -- --enrol-file wrote it on the other computer).`, 'enrolment-unreadable');
  }
  // The seal's tag identifies this exact file: a second import of it is refused.
  const id = createHash('sha256').update(text).digest('hex');
  if (readImported(store).includes(id)) {
    throw new UserError(`${file} was already imported into ${storeDir}: nothing to do (delete the file, it holds the key).`, 'enrolment-imported');
  }
  const key = ensureEnrolmentKey(store);
  const e = openEnrolment(text, key.privateKey, file);
  checkThingName(e.thing);
  let matches = false;
  try {
    matches = new X509Certificate(e.certPem).checkPrivateKey(createPrivateKey(e.keyPem));
  } catch {
    matches = false;
  }
  if (!matches || !/^[0-9a-f]{64}$/.test(e.secret)) {
    throw new UserError(`${file} opened but its identity is not usable (certificate and key do not match, or no device secret): run provision again.`, 'enrolment-tampered');
  }
  const certDir = enrolDevice(store, e.thing, e.secret, { certPem: e.certPem, keyPem: e.keyPem }, e.topicPrefix);
  if (e.endpoint) writeAtomic(join(certDir, 'thing.json'), JSON.stringify({ thing: e.thing, endpoint: e.endpoint, port: e.port ?? 8883 }, null, 2) + '\n', 0o600);
  mkdirSync(store, { recursive: true });
  writeAtomic(join(store, IMPORTED), JSON.stringify([...readImported(store), id]) + '\n');
  log(`Added ${e.thing} to the gateway's store ${storeDir}${e.endpoint ? ` (endpoint ${e.endpoint})` : ''}; a running gateway takes it without a restart. Delete ${file}: it holds the device's key.`);
  return { thing: e.thing, certDir };
}
