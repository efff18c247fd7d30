// A good identity loads from AWS console names, aws-setup names or explicit paths, and converts
// to the DER Espruino takes; warnings for what still works but needs attention.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { loadIdentity, certificateId, amazonRootCa1Pem } from '../../tools/certificates';
import { isUserError } from '../../tools/shared/errors';
import { makeCert, makeKey, makePki, makeTempDir, type TempDir, type TestPki } from '../support/cert-fixtures';

let pki: TestPki;
let tmp: TempDir;
beforeAll(() => {
  pki = makePki();
  tmp = makeTempDir('cert-load-');
});
afterAll(() => tmp.remove());

let n = 0;
function folder(files: Record<string, string | Buffer>, thing = 'button-1'): { cwd: string; thing: string } {
  const sub = `case-${n++}`;
  mkdirSync(join(tmp.path, sub, 'certs', thing), { recursive: true });
  for (const [name, text] of Object.entries(files)) tmp.write(join(sub, 'certs', thing, name), text);
  return { cwd: join(tmp.path, sub), thing };
}

test('finds the files under the names AWS console downloads, pairing the key by hash prefix', () => {
  const c = pki.client('button-1');
  const id = certificateId(c.pem);
  const other = makeKey('rsa2048', true);
  const { cwd, thing } = folder({
    [`${id}-certificate.pem.crt`]: c.pem,
    [`${id}-private.pem.key`]: c.key.pem,
    [`${id}-public.pem.key`]: c.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    // A stray key from another download must not make the pair ambiguous.
    ['0123abcd-private.pem.key']: other.pem,
    'AmazonRootCA1.pem': pki.ca.pem,
  });
  const identity = loadIdentity({ cwd, thing });
  expect(identity.paths.keyPath).toBe(join(cwd, 'certs', thing, `${id}-private.pem.key`));
  expect(identity.certificateId).toBe(id);
  expect(identity.warnings).toEqual([]);
});

test("finds aws-setup's names and reports the thing from the certificate's common name", () => {
  const c = pki.client('button-1');
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  const identity = loadIdentity({ cwd, thing, directTls: true });
  expect(identity.thingFromCert).toBe('button-1');
  expect(identity.keyType).toBe('rsa');
  expect(identity.keyBits).toBe(2048);
});

test('explicit paths need no certs folder at all', () => {
  const c = pki.client('button-1');
  const cert = tmp.write('explicit.crt', c.pem);
  const key = tmp.write('explicit.key', c.key.pem);
  const ca = tmp.write('explicit-ca.pem', pki.ca.pem);
  expect(loadIdentity({ cwd: tmp.path, certPath: cert, keyPath: key, caPath: ca }).paths).toEqual({ certPath: cert, keyPath: key, caPath: ca });
});

test('DER output: the certificate and CA bytes, and an RSA key as PKCS#1', () => {
  const c = pki.client('button-1');
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  const identity = loadIdentity({ cwd, thing, directTls: true });
  const body = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  expect(identity.certDer.equals(body(c.pem))).toBe(true);
  expect(identity.caDer.equals(body(pki.ca.pem))).toBe(true);
  expect(identity.keyDerFormat).toBe('pkcs1');
  const back = createPrivateKey({ key: identity.keyDer, format: 'der', type: 'pkcs1' });
  expect(new X509Certificate(identity.certDer).checkPrivateKey(back)).toBe(true);
  expect(identity.certificateId).toBe(createHash('sha256').update(identity.certDer).digest('hex'));
});

test('a DER certificate file loads as well as PEM', () => {
  const c = pki.client('button-1');
  const der = new X509Certificate(c.pem).raw;
  const { cwd, thing } = folder({ 'certificate.pem.crt': der, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  const identity = loadIdentity({ cwd, thing });
  expect(identity.certificateId).toBe(certificateId(c.pem));
  // Normalised PEM for Node's TLS and the SDK, whatever the file held.
  expect(identity.certPem).toBe(new X509Certificate(c.pem).toString());
  expect(identity.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
});

test('gateway mode accepts an EC P-256 key (it never goes to the device) and gives it as PKCS#8', () => {
  const c = pki.client('button-1', { key: makeKey('ec256') });
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  const identity = loadIdentity({ cwd, thing, directTls: false });
  expect(identity.keyType).toBe('ec');
  expect(identity.keyDerFormat).toBe('pkcs8');
});

test('under 30 days left is a warning, not an error', () => {
  const c = pki.client('button-1', { toDays: 10 });
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  const identity = loadIdentity({ cwd, thing });
  expect(identity.warnings).toHaveLength(1);
  expect(identity.warnings[0]).toMatch(/certificate\.pem\.crt expires in (9|10) days/);
  expect(identity.notAfter.getTime()).toBeGreaterThan(Date.now());
});

test("AWS's generic common name is not taken for a thing name; another thing's name is a warning", () => {
  const generic = makeCert({ cn: 'AWS IoT Certificate', key: makeKey('rsa2048', true) }, pki.ca);
  const a = folder({ 'certificate.pem.crt': generic.pem, 'private.pem.key': generic.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  expect(loadIdentity(a).thingFromCert).toBeUndefined();
  const foreign = pki.client('button-2');
  const b = folder({ 'certificate.pem.crt': foreign.pem, 'private.pem.key': foreign.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  expect(loadIdentity(b).warnings.join(' ')).toMatch(/issued to "button-2", not "button-1"/);
});

test("no CA file beside the certificate: Amazon Root CA 1 from Node's own root store, nothing to download", () => {
  const c = pki.client('button-1');
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem });
  const identity = loadIdentity({ cwd, thing });
  expect(identity.paths.caPath).toBeUndefined();
  expect(identity.ca.subject).toMatch(/^CN=Amazon Root CA 1$/m);
  expect(identity.ca.ca).toBe(true);
  expect(rootCertificates.some((p) => new X509Certificate(p).raw.equals(identity.ca.raw))).toBe(true);
  // The DER the device gets for direct TLS is that CA's.
  expect(identity.caDer.equals(new X509Certificate(amazonRootCa1Pem()).raw)).toBe(true);
  // Explicit --cert/--key without --ca, and no certs/<thing>/ folder: the same.
  const certPath = tmp.write('explicit.crt', c.pem);
  const keyPath = tmp.write('explicit.key', c.key.pem);
  expect(loadIdentity({ cwd: tmp.path, certPath, keyPath }).ca.subject).toMatch(/Amazon Root CA 1/);
});

test('a CA file beside the certificate still wins, and --ca over both', () => {
  const c = pki.client('button-1');
  const { cwd, thing } = folder({ 'certificate.pem.crt': c.pem, 'private.pem.key': c.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
  expect(loadIdentity({ cwd, thing }).caPem).toBe(new X509Certificate(pki.ca.pem).toString());
  const other = makePki();
  const caPath = tmp.write('other-ca.pem', other.ca.pem);
  expect(loadIdentity({ cwd, thing, caPath }).caPem).toBe(new X509Certificate(other.ca.pem).toString());
});

test('a Node without Amazon Root CA 1 in its store: one sentence saying where to download it', () => {
  let err: unknown;
  try {
    amazonRootCa1Pem([pki.ca.pem]);
  } catch (e) {
    err = e;
  }
  expect(isUserError(err) && err.anchor).toBe('ca-missing');
  expect((err as Error).message).toMatch(/amazontrust\.com\/repository\/AmazonRootCA1\.pem.*--ca FILE/);
});
