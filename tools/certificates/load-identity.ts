// Reads and validates a thing's identity (certificate, private key, root CA) and converts it to the
// DER that Espruino's tls.connect takes. Every failure is a UserError naming the file. No writes.
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../shared/errors';
import { amazonRootCa1Pem, BUILTIN_CA_NAME } from './amazon-root-ca';
import { certificateId, commonName } from './certificate-id';
import { AMAZON_ROOT_CA1_URL, CA_FILE, displayPath, locateIdentity, type IdentityLocation, type IdentityPaths } from './locate-identity';

export interface LoadIdentityOptions extends IdentityLocation {
  /** The device itself speaks TLS (boards whose Espruino has `tls`): the key must be RSA 2048. */
  directTls?: boolean;
  /** For tests; defaults to the current time. */
  now?: Date;
}

export interface Identity {
  paths: IdentityPaths;
  cert: X509Certificate;
  key: KeyObject;
  ca: X509Certificate;
  /** Normalised PEM (whatever the files held, PEM or DER): what Node's TLS and the SDK take. */
  certPem: string;
  /** PKCS#8 PEM. A secret: register it with the logger (addSecret) before printing anything. */
  keyPem: string;
  caPem: string;
  certDer: Buffer;
  /**
   * RSA keys as PKCS#1 DER (Espruino's mbedTLS has no PEM parser; mbedtls_pk_parse_key takes
   * PKCS#1 and unencrypted PKCS#8 DER alike; PKCS#1 is what Espruino's TLS examples use and is
   * 26 bytes smaller). Other keys (gateway mode only, never sent to a device) as PKCS#8 DER.
   */
  keyDer: Buffer;
  keyDerFormat: 'pkcs1' | 'pkcs8';
  caDer: Buffer;
  keyType: string;
  keyBits?: number;
  /** The certificate's CN, unless it is AWS's generic "AWS IoT Certificate". */
  thingFromCert?: string;
  /** AWS IoT's certificate ID: SHA-256 of the DER. */
  certificateId: string;
  notAfter: Date;
  warnings: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const EXPIRY_WARNING_DAYS = 30;
const AWS_GENERIC_CN = 'AWS IoT Certificate';

function readText(path: string, what: string, show: string, flag: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`The ${what} file ${show} does not exist: check the path, or pass ${flag} FILE.`, 'identity-missing');
    if (code === 'EACCES') throw new UserError(`Cannot read the ${what} file ${show} (permission denied): run as its owner or fix its permissions.`, 'identity-unreadable');
    if (code === 'EISDIR') throw new UserError(`${show} is a folder, not a ${what} file: pass ${flag} FILE.`, 'identity-missing');
    throw err;
  }
}

function parseCertificate(text: string, show: string, role: 'certificate' | 'CA'): X509Certificate {
  if (/PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${show} holds a private key, not a ${role === 'CA' ? 'CA certificate' : 'certificate'}: check which file you passed where.`, 'pem-invalid');
  }
  try {
    // Accepts PEM and DER alike.
    return new X509Certificate(Buffer.from(text, 'latin1'));
  } catch {
    const fix = role === 'CA' ? `download ${CA_FILE} again from ${AMAZON_ROOT_CA1_URL}` : 'download it again from the AWS IoT console or re-run aws-setup';
    throw new UserError(`${show} is not a readable X.509 certificate (PEM or DER): ${fix}.`, 'pem-invalid');
  }
}

function parsePrivateKey(text: string, show: string): KeyObject {
  if (/ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new UserError(`${show} is protected by a passphrase, which the device cannot enter: decrypt it with \`openssl pkey -in ${show} -out plain.key\`.`, 'key-encrypted');
  }
  if (/PUBLIC KEY-----/.test(text) && !/PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${show} is a public key: pass the private key (the *-private.pem.key file) instead.`, 'key-is-public');
  }
  if (/CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${show} is a certificate, not a private key: pass the *-private.pem.key file as the key.`, 'pem-invalid');
  }
  const bytes = Buffer.from(text, 'latin1');
  const attempts = text.includes('-----BEGIN') ? [() => createPrivateKey(bytes)] : (['pkcs8', 'pkcs1', 'sec1'] as const).map((type) => () => createPrivateKey({ key: bytes, format: 'der', type }));
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next encoding
    }
  }
  throw new UserError(`${show} is not a readable private key: use the key file created together with the certificate.`, 'pem-invalid');
}

function checkDates(x: X509Certificate, show: string, what: string, now: Date, warnings: string[]): Date {
  const from = new Date(x.validFrom);
  const to = new Date(x.validTo);
  if (now < from) {
    throw new UserError(`The ${what} ${show} is not valid until ${from.toISOString()}: check this computer's clock (the device's TLS would reject it too) or use a current certificate.`, 'cert-not-yet-valid');
  }
  if (now > to) {
    const fix = what === 'CA certificate' ? `download a current ${CA_FILE} from ${AMAZON_ROOT_CA1_URL}` : 'create a new certificate for the thing and provision it';
    throw new UserError(`The ${what} ${show} expired on ${to.toISOString()}: ${fix}.`, 'cert-expired');
  }
  const daysLeft = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < EXPIRY_WARNING_DAYS) warnings.push(`The ${what} ${show} expires in ${daysLeft} days (${to.toISOString()}): replace it before then.`);
  return to;
}

function checkKeyType(key: KeyObject, show: string, directTls: boolean): void {
  const type = key.asymmetricKeyType ?? 'unknown';
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (directTls) {
    if (type === 'ec') {
      throw new UserError(
        `${show} is an EC key, which Espruino's TLS cannot use (its mbedTLS is built without ECDHE/ECDSA, so the handshake fails): create an RSA 2048 certificate (aws-setup does) or use gateway mode.`,
        'key-not-rsa2048',
      );
    }
    if (type !== 'rsa') throw new UserError(`${show} is a ${type} key; Espruino's TLS takes only RSA: create an RSA 2048 certificate (aws-setup does).`, 'key-not-rsa2048');
    if (bits !== 2048) {
      const why = (bits ?? 0) > 2048 ? 'the handshake with a bigger key needs more RAM than Espruino has' : 'AWS IoT refuses RSA keys under 2048 bits';
      throw new UserError(`${show} is an RSA ${bits} key and direct TLS needs RSA 2048 (${why}): create an RSA 2048 certificate (aws-setup does).`, 'key-not-rsa2048');
    }
    return;
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ok = (type === 'rsa' && (bits ?? 0) >= 2048) || (type === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1'));
  if (!ok) {
    throw new UserError(`${show} is a ${type}${bits ? ' ' + bits : ''}${curve ? ' ' + curve : ''} key, which AWS IoT does not accept: use RSA (2048 bits or more) or EC P-256/P-384.`, 'key-unsupported');
  }
}

export function loadIdentity(opts: LoadIdentityOptions): Identity {
  const paths = locateIdentity(opts);
  const show = (p: string) => displayPath(opts.cwd, p);
  const now = opts.now ?? new Date();
  const warnings: string[] = [];

  const cert = parseCertificate(readText(paths.certPath, 'certificate', show(paths.certPath), '--cert'), show(paths.certPath), 'certificate');
  const key = parsePrivateKey(readText(paths.keyPath, 'private key', show(paths.keyPath), '--key'), show(paths.keyPath));
  const caShow = paths.caPath ? show(paths.caPath) : BUILTIN_CA_NAME;
  const ca = parseCertificate(paths.caPath ? readText(paths.caPath, 'CA certificate', caShow, '--ca') : amazonRootCa1Pem(), caShow, 'CA');

  if (cert.ca) {
    throw new UserError(`${show(paths.certPath)} is a CA certificate, not the thing's own: pass the *-certificate.pem.crt file as the certificate.`, 'cert-is-ca');
  }
  if (!cert.checkPrivateKey(key)) {
    throw new UserError(
      `The private key ${show(paths.keyPath)} does not belong to the certificate ${show(paths.certPath)}: use the key created together with that certificate (same hash prefix in AWS's file names).`,
      'key-cert-mismatch',
    );
  }
  const notAfter = checkDates(cert, show(paths.certPath), 'certificate', now, warnings);
  checkKeyType(key, show(paths.keyPath), !!opts.directTls);
  if (!ca.ca) {
    throw new UserError(
      `${caShow} is not a CA certificate (it is issued to ${commonName(ca) ?? 'a leaf'}): use ${CA_FILE} from ${AMAZON_ROOT_CA1_URL}.`,
      'ca-not-ca',
    );
  }
  checkDates(ca, caShow, 'CA certificate', now, warnings);

  const cn = commonName(cert);
  const thingFromCert = cn && cn !== AWS_GENERIC_CN ? cn : undefined;
  if (opts.thing && thingFromCert && thingFromCert !== opts.thing) {
    warnings.push(`The certificate ${show(paths.certPath)} was issued to "${thingFromCert}", not "${opts.thing}": fine if AWS attaches it to ${opts.thing}, otherwise check the folder.`);
  }
  const rsa = key.asymmetricKeyType === 'rsa';
  return {
    paths,
    cert,
    key,
    ca,
    certPem: cert.toString(),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    caPem: ca.toString(),
    certDer: cert.raw,
    keyDer: key.export({ type: rsa ? 'pkcs1' : 'pkcs8', format: 'der' }),
    keyDerFormat: rsa ? 'pkcs1' : 'pkcs8',
    caDer: ca.raw,
    keyType: key.asymmetricKeyType ?? 'unknown',
    keyBits: key.asymmetricKeyDetails?.modulusLength,
    thingFromCert,
    certificateId: certificateId(cert),
    notAfter,
    warnings,
  };
}
