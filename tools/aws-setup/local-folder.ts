// certs/<thing>/ as aws-setup sees it: what is there already, and the writes it makes there
// (private key at 0600, never overwritten; certificate; thing.json; the CA given with --ca).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AMAZON_ROOT_CA1_URL, CA_FILE, CERT_FILE, KEY_FILE, certificateCandidates, displayPath } from '../certificates';
import { UserError } from '../shared/errors';

/** What aws-setup writes next to the certificate: everything provision needs besides the PEMs. */
export const THING_FILE = 'thing.json';

export interface ThingInfo {
  thing: string;
  endpoint: string;
  port: number;
  region: string;
  certificateId: string;
  certificateArn: string;
  policyName: string;
  /** The topic prefix the policy allows (absent in files from before it was recorded: the default). */
  topicPrefix?: string;
  /** How provision last set the board up: `npm run update` executes a direct board's job itself. */
  mode?: 'direct' | 'gateway';
}

export interface LocalState {
  certPem?: string;
  keyPem?: string;
}

/** What certs/<thing>/ already holds, refusing states that re-running cannot fix by itself. */
export function inspectFolder(cwd: string, dir: string): LocalState {
  if (!existsSync(dir)) return {};
  const show = (p: string) => displayPath(cwd, p);
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  const foreign = certificateCandidates(dir).filter((p) => p !== certPath);
  if (foreign.length > 0) {
    throw new UserError(
      `${show(dir)} already holds a certificate from elsewhere (${foreign.map(show).join(', ')}): provision can use it as it is, or move it aside before running aws-setup.`,
      'aws-setup-foreign-cert',
    );
  }
  const state: LocalState = {
    certPem: existsSync(certPath) ? readFileSync(certPath, 'utf8') : undefined,
    keyPem: existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : undefined,
  };
  if (state.certPem && !state.keyPem) {
    throw new UserError(`${show(certPath)} has no ${KEY_FILE} beside it: restore the key, or move the folder aside to create a new identity.`, 'identity-missing');
  }
  if (state.keyPem) {
    let key;
    try {
      key = createPrivateKey(state.keyPem);
    } catch {
      throw new UserError(`${show(keyPath)} is not a readable private key: restore it, or move the folder aside to create a new identity.`, 'pem-invalid');
    }
    if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== 2048) {
      throw new UserError(`${show(keyPath)} is not an RSA 2048 key, which a button needs: move it aside and run aws-setup again to make one.`, 'key-not-rsa2048');
    }
    let matches = false;
    try {
      matches = !state.certPem || new X509Certificate(state.certPem).checkPrivateKey(key);
    } catch {
      throw new UserError(`${show(certPath)} is not a readable certificate: move the folder aside to create a new identity.`, 'pem-invalid');
    }
    if (!matches) {
      throw new UserError(`${show(keyPath)} does not belong to ${show(certPath)}: restore the matching key, or move the folder aside to create a new identity.`, 'key-cert-mismatch');
    }
  }
  return state;
}

/** The PEM of the root CA passed with --ca, checked to be a CA certificate. */
export function readCa(cwd: string, path: string): string {
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(readFileSync(resolve(cwd, path)));
  } catch {
    throw new UserError(`--ca ${path} is not a readable certificate: download ${CA_FILE} from ${AMAZON_ROOT_CA1_URL} and pass that file.`, 'ca-not-ca');
  }
  if (!ca.ca) throw new UserError(`--ca ${path} is not a CA certificate: pass ${CA_FILE} from ${AMAZON_ROOT_CA1_URL}.`, 'ca-not-ca');
  return ca.toString();
}

/** Writes a new private key readable by its owner only. 'wx' refuses to replace an existing key. */
export function writePrivateKey(dir: string, pem: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, KEY_FILE);
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  // The mode above is filtered by the umask; chmod makes 0600 exact.
  chmodSync(path, 0o600);
  return path;
}

export function writeCertificate(dir: string, pem: string): string {
  const path = join(dir, CERT_FILE);
  writeFileSync(path, pem, { mode: 0o644, flag: 'wx' });
  return path;
}

/** Writes `text` to `path` unless it holds exactly that already; true when it wrote. */
function writeIfChanged(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  writeFileSync(path, text);
  return true;
}

/** thing.json and the CA given with --ca; returns the paths it (re)wrote. */
export function saveThingFiles(dir: string, info: ThingInfo, caPem?: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const infoPath = join(dir, THING_FILE);
  // provision's record of the board's mode is not aws-setup's to drop on a re-run.
  const mode = readThingInfo(dir)?.mode;
  if (writeIfChanged(infoPath, JSON.stringify(mode ? { ...info, mode } : info, null, 2) + '\n')) written.push(infoPath);
  const caPath = join(dir, CA_FILE);
  if (caPem && writeIfChanged(caPath, caPem)) written.push(caPath);
  return written;
}

/** thing.json as aws-setup wrote it, or undefined when there is none (for provision and doctor). */
export function readThingInfo(dir: string): ThingInfo | undefined {
  const path = join(dir, THING_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ThingInfo;
}

/** provision records the board's mode in an existing thing.json (npm run update reads it); no file, no record. */
export function recordMode(dir: string, mode: 'direct' | 'gateway'): void {
  const path = join(dir, THING_FILE);
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return; // none, or unreadable: provision and doctor name a broken thing.json, this is only a hint
  }
  if (info.mode !== mode) writeFileSync(path, JSON.stringify({ ...info, mode }, null, 2) + '\n');
}
