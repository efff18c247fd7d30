// Finds a thing's certificate, private key and root CA: explicit paths first, else by name in
// certs/<thing>/ (AWS console names or aws-setup's); no CA file means Amazon Root CA 1 from Node's
// own store (amazon-root-ca.ts). It reads no file contents; load-identity does.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../shared/errors';

export interface IdentityLocation {
  cwd: string;
  /** Looks in certs/<thing>/ under cwd. */
  thing?: string;
  /** Looks in this folder instead of certs/<thing>/. */
  dir?: string;
  certPath?: string;
  keyPath?: string;
  caPath?: string;
}

export interface IdentityPaths {
  certPath: string;
  keyPath: string;
  /** Undefined: Amazon Root CA 1 from Node's root store. */
  caPath?: string;
}

// AWS console downloads: <hash>-certificate.pem.crt, <hash>-private.pem.key, <hash>-public.pem.key.
const CONSOLE_CERT = /^([0-9a-f]+)-certificate\.pem\.crt$/;
const CONSOLE_KEY = /^([0-9a-f]+)-private\.pem\.key$/;
export const CERT_FILE = 'certificate.pem.crt';
export const KEY_FILE = 'private.pem.key';
export const CA_FILE = 'AmazonRootCA1.pem';
export const AMAZON_ROOT_CA1_URL = 'https://www.amazontrust.com/repository/AmazonRootCA1.pem';

/** A path as the user would type it: relative to cwd when inside it. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort();
}

/** Certificate files in `dir`, recognised by name (AWS console or aws-setup). */
export function certificateCandidates(dir: string): string[] {
  const files = listFiles(dir);
  return files.filter((n) => CONSOLE_CERT.test(n) || n === CERT_FILE).map((n) => join(dir, n));
}

function keyCandidates(dir: string, certPath: string): string[] {
  const files = listFiles(dir);
  // The key downloaded with a console certificate shares its hash prefix.
  const hash = CONSOLE_CERT.exec(basename(certPath));
  if (hash && files.includes(`${hash[1]}-private.pem.key`)) return [join(dir, `${hash[1]}-private.pem.key`)];
  return files.filter((n) => CONSOLE_KEY.test(n) || n === KEY_FILE).map((n) => join(dir, n));
}

export function locateIdentity(loc: IdentityLocation): IdentityPaths {
  const show = (p: string) => displayPath(loc.cwd, p);
  const explicit = (p?: string) => (p ? resolve(loc.cwd, p) : undefined);
  let certPath = explicit(loc.certPath);
  let keyPath = explicit(loc.keyPath);
  let caPath = explicit(loc.caPath);
  if (certPath && keyPath && caPath) return { certPath, keyPath, caPath };

  const dir = loc.dir ? resolve(loc.cwd, loc.dir) : loc.thing ? join(loc.cwd, 'certs', loc.thing) : undefined;
  if (certPath && keyPath && (!dir || !existsSync(dir))) return { certPath, keyPath, caPath };
  if (!dir) {
    throw new UserError('No thing name and no certificate paths given: pass --thing NAME (files in certs/NAME/) or --cert, --key and --ca.', 'identity-missing');
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(
      `There is no folder ${show(dir)}: run \`npm run aws-setup -- --thing ${loc.thing ?? basename(dir)}\`, or put the files AWS's console gave you there, or pass --cert, --key and --ca.`,
      'identity-missing',
    );
  }

  if (!certPath) {
    const certs = certificateCandidates(dir);
    if (certs.length === 0) {
      throw new UserError(
        `No certificate in ${show(dir)} (looked for *-certificate.pem.crt and ${CERT_FILE}): run aws-setup or download it from the AWS IoT console, or pass --cert FILE.`,
        'identity-missing',
      );
    }
    if (certs.length > 1) {
      throw new UserError(`${show(dir)} holds several certificates (${certs.map((c) => basename(c)).join(', ')}): pass --cert FILE to choose one.`, 'identity-ambiguous');
    }
    certPath = certs[0];
  }
  if (!keyPath) {
    const keys = keyCandidates(dir, certPath);
    if (keys.length === 0) {
      throw new UserError(
        `No private key in ${show(dir)} (looked for *-private.pem.key and ${KEY_FILE}): it is only offered when the certificate is created, so create a new certificate, or pass --key FILE.`,
        'identity-missing',
      );
    }
    if (keys.length > 1) {
      throw new UserError(`${show(dir)} holds several private keys (${keys.map((k) => basename(k)).join(', ')}): pass --key FILE to choose one.`, 'identity-ambiguous');
    }
    keyPath = keys[0];
  }
  // A CA file beside the certificate wins (a local broker's CA, an older download); else Node's.
  if (!caPath && existsSync(join(dir, CA_FILE))) caPath = join(dir, CA_FILE);
  return { certPath, keyPath, caPath };
}
