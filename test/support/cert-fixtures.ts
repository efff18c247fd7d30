// Test-time certificates: a tiny PKI (CA, server and device certificates) built with node:crypto
// keys and node-forge ASN.1, in a temp dir. Not the dev PKI (tools/pki/): deliberately bad inputs too.
import { generateKeyPairSync, sign, KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export type KeyKind = 'rsa2048' | 'rsa4096' | 'rsa1024' | 'ec256';

export interface TestKey {
  kind: KeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM, as AWS's console and most tools write it. */
  pem: string;
}

export interface TestCert {
  cn: string;
  key: TestKey;
  pem: string;
}

export interface CertOptions {
  cn: string;
  key?: TestKey;
  /** Days relative to now; defaults -1 .. +365. */
  fromDays?: number;
  toDays?: number;
  isCa?: boolean;
  /** Server certificate with SANs for localhost and 127.0.0.1 (the SDK insists, see docs/espruino.md). */
  server?: boolean;
}

// Key generation is the slow part (RSA 4096 takes a second or more): keep one key per kind.
const keyCache = new Map<KeyKind, TestKey>();

export function makeKey(kind: KeyKind = 'rsa2048', fresh = false): TestKey {
  const cached = keyCache.get(kind);
  if (cached && !fresh) return cached;
  const pair =
    kind === 'ec256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: Number(kind.slice(3)) });
  const key: TestKey = {
    kind,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  if (!fresh) keyCache.set(kind, key);
  return key;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Issue a certificate for `opts.key` signed by `issuer` (self-signed when issuer is omitted).
 * forge can only put RSA keys into certificates, so the TBS is built with a placeholder key and
 * its SubjectPublicKeyInfo swapped for the real one (any type), then signed with node:crypto.
 */
export function makeCert(opts: CertOptions, issuer?: TestCert): TestCert {
  const key = opts.key ?? makeKey('rsa2048');
  const signerKey = issuer ? issuer.key : key;
  if (signerKey.kind === 'ec256') throw new Error('cert-fixtures: issuers must have RSA keys');
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(signerKey.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now + (opts.fromDays ?? -1) * DAY);
  cert.validity.notAfter = new Date(now + (opts.toDays ?? 365) * DAY);
  cert.setSubject([{ name: 'commonName', value: opts.cn }]);
  cert.setIssuer([{ name: 'commonName', value: issuer ? issuer.cn : opts.cn }]);
  const exts: object[] = [{ name: 'basicConstraints', cA: !!opts.isCa, critical: true }];
  if (opts.isCa) exts.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
  if (opts.server) {
    exts.push({ name: 'extKeyUsage', serverAuth: true });
    exts.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] });
  } else if (!opts.isCa) {
    exts.push({ name: 'extKeyUsage', clientAuth: true });
  }
  cert.setExtensions(exts);
  (cert as unknown as { signatureOid: string }).signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo = { algorithmOid: forge.pki.oids.sha256WithRSAEncryption };

  // getTBSCertificate exists in node-forge but is missing from @types/node-forge.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const spkiDer = key.publicKey.export({ type: 'spki', format: 'der' });
  // TBSCertificate fields: [0]version, serial, signature, issuer, validity, subject, spki, [3]extensions
  (tbs.value as forge.asn1.Asn1[])[6] = forge.asn1.fromDer(forge.util.createBuffer(spkiDer.toString('binary')));
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signerKey.privateKey);

  const { asn1 } = forge;
  const full = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + signature.toString('binary')),
  ]);
  const der = Buffer.from(asn1.toDer(full).getBytes(), 'binary');
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { cn: opts.cn, key, pem: `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n` };
}

export interface TestPki {
  ca: TestCert;
  server: TestCert;
  /** A device (or observer) certificate for `cn`, signed by the CA; by default with the shared RSA 2048 test key. */
  client(cn: string, opts?: Omit<CertOptions, 'cn'>): TestCert;
}

export function makePki(): TestPki {
  const ca = makeCert({ cn: 'Test Root CA', isCa: true, key: makeKey('rsa2048', true) });
  const server = makeCert({ cn: 'localhost', server: true, key: makeKey('rsa2048', true) }, ca);
  return { ca, server, client: (cn, opts) => makeCert({ ...opts, cn, key: opts?.key ?? makeKey('rsa2048') }, ca) };
}

export interface TempDir {
  path: string;
  write(name: string, data: string | Buffer): string;
  remove(): void;
}

export function makeTempDir(prefix = 'certs-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, data) {
      const p = join(path, name);
      writeFileSync(p, data);
      return p;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
