// The local development PKI: a CA, a broker certificate for localhost/127.0.0.1 and client
// certificates per thing name, created on first use and reused afterwards. Not for production.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import forge from 'node-forge';
import { writeAtomic } from '../shared/write-atomic';
import { checkThingName } from '../certificates/thing-name';

export interface PemIdentity {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface DevPki {
  dir: string;
  caPath: string;
  ca: string;
  server: PemIdentity;
  /** The client identity for a thing name (the certificate's CN), created if missing. */
  client(commonName: string): PemIdentity;
}

export const DEFAULT_PKI_DIR = 'certs/dev';
const CA_CN = 'espruino-aws-button dev CA';
const SERVER_CN = 'localhost';
const DAY = 24 * 3600 * 1000;

type Kind = 'ca' | 'server' | 'client';

/** The DER bytes of the first PEM block (what Espruino's tls.connect takes). */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (!m) throw new Error('No PEM block found: expected text starting with "-----BEGIN".');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/** Creates (first time) or loads the CA and broker certificate under `dir`. */
export function ensureDevPki(dir: string = DEFAULT_PKI_DIR): DevPki {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const ca = ensureCa(abs);
  const server = ensureLeaf(abs, 'server', SERVER_CN, 'server', ca);
  return {
    dir: abs,
    caPath: join(abs, 'ca.crt'),
    ca: ca.pem,
    server,
    // The CA in hand signs every client: no reading it again per certificate.
    client: (cn) => {
      checkClientName(cn);
      return ensureLeaf(abs, cn, cn, 'client', ca);
    },
  };
}

/** A client certificate with CN = thing name and the clientAuth EKU, signed by the dev CA under `dir`. */
export function ensureClientCert(dir: string, commonName: string): PemIdentity {
  checkClientName(commonName); // before anything is created on disk
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  return ensureLeaf(abs, commonName, commonName, 'client', ensureCa(abs));
}

function checkClientName(commonName: string): void {
  checkThingName(commonName);
  if (commonName === 'ca' || commonName === 'server') {
    throw new Error(`"${commonName}" is reserved for the dev PKI's own files: pick another thing name.`);
  }
}

interface Ca {
  pem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function ensureCa(dir: string): Ca {
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  const found = load(certPath, keyPath);
  if (found && isCurrent(found.cert) && keyMatches(found.cert, found.key)) {
    return { pem: found.certPem, cert: found.cert, key: found.key };
  }
  const made = issue('ca', CA_CN, undefined);
  save(certPath, keyPath, made.certPem, made.keyPem);
  return { pem: made.certPem, cert: made.cert, key: made.key };
}

function ensureLeaf(dir: string, file: string, cn: string, kind: Kind, ca: Ca): PemIdentity {
  const certPath = join(dir, file + '.crt');
  const keyPath = join(dir, file + '.key');
  const found = load(certPath, keyPath);
  // Reuse only what this CA signed and what still matches its key: a regenerated CA reissues everything.
  if (found && isCurrent(found.cert) && keyMatches(found.cert, found.key) && signedBy(ca.cert, found.cert)) {
    return { cert: found.certPem, key: found.keyPem, certPath, keyPath };
  }
  const made = issue(kind, cn, ca);
  save(certPath, keyPath, made.certPem, made.keyPem);
  return { cert: made.certPem, key: made.keyPem, certPath, keyPath };
}

function load(certPath: string, keyPath: string) {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    return { certPem, keyPem, cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem) };
  } catch {
    return undefined; // unreadable or half-written: issue a new one
  }
}

function isCurrent(cert: forge.pki.Certificate): boolean {
  return cert.validity.notAfter.getTime() > Date.now() + DAY;
}

function keyMatches(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): boolean {
  return (cert.publicKey as forge.pki.rsa.PublicKey).n.equals(key.n);
}

function signedBy(ca: forge.pki.Certificate, cert: forge.pki.Certificate): boolean {
  try {
    return ca.verify(cert);
  } catch {
    return false;
  }
}

// Keys come from node:crypto (native, fast); forge only builds and signs the certificates.
// PKCS#1 keys, because that is the form every mbedTLS (Espruino) and AWS tool reads.
function issue(kind: Kind, cn: string, ca: Ca | undefined) {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(pair.privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  // A positive serial: clear the top bit of 16 random bytes.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + (kind === 'ca' ? 3650 : 825) * DAY);
  const subject = [{ name: 'commonName', value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(ca ? ca.cert.subject.attributes : subject);
  const ext: object[] = [{ name: 'subjectKeyIdentifier' }];
  if (kind === 'ca') {
    ext.push({ name: 'basicConstraints', cA: true, critical: true });
    ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    ext.push({ name: 'basicConstraints', cA: false });
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: ca!.cert.generateSubjectKeyIdentifier().getBytes() });
    if (kind === 'server') {
      ext.push({ name: 'extKeyUsage', serverAuth: true });
      ext.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] });
    } else {
      ext.push({ name: 'extKeyUsage', clientAuth: true });
    }
  }
  cert.setExtensions(ext);
  cert.sign(ca ? ca.key : key, forge.md.sha256.create());
  return { cert, key, certPem: forge.pki.certificateToPem(cert), keyPem: pair.privateKey };
}

// Write to a temporary name and rename, so a reader never sees half a file; keys are 0600.
function save(certPath: string, keyPath: string, certPem: string, keyPem: string): void {
  writeAtomic(keyPath, keyPem, 0o600);
  writeAtomic(certPath, certPem, 0o644);
}
