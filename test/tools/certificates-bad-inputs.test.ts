// Every way a thing's identity can be wrong gives one UserError that names the file and the fix.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadIdentity, type LoadIdentityOptions } from '../../tools/certificates';
import { isUserError } from '../../tools/shared/errors';
import { makeCert, makeKey, makePki, makeTempDir, type TempDir, type TestPki } from '../support/cert-fixtures';

let pki: TestPki;
let tmp: TempDir;

beforeAll(() => {
  pki = makePki();
  tmp = makeTempDir('cert-bad-');
  // RSA 4096 takes seconds to generate: do it here, under a generous timeout, not inside a case.
  makeKey('rsa4096');
  makeKey('rsa1024');
  makeKey('ec256');
}, 120_000);
afterAll(() => tmp.remove());

let n = 0;
/** A fresh certs/<thing>/ folder under its own cwd, holding the given files. */
function folder(files: Record<string, string>): { cwd: string; thing: string } {
  const cwd = join(tmp.path, `case-${n++}`);
  const thing = 'button-1';
  mkdirSync(join(cwd, 'certs', thing), { recursive: true });
  for (const [name, text] of Object.entries(files)) tmp.write(join(cwd.slice(tmp.path.length + 1), 'certs', thing, name), text);
  return { cwd, thing };
}

function good(): { cert: string; key: string; ca: string } {
  const c = pki.client('button-1');
  return { cert: c.pem, key: c.key.pem, ca: pki.ca.pem };
}

function ours(files: { cert?: string; key?: string; ca?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (files.cert !== undefined) out['certificate.pem.crt'] = files.cert;
  if (files.key !== undefined) out['private.pem.key'] = files.key;
  if (files.ca !== undefined) out['AmazonRootCA1.pem'] = files.ca;
  return out;
}

interface BadCase {
  name: string;
  setup: () => LoadIdentityOptions;
  anchor: string;
  message: RegExp;
}

const GARBAGE_CERT = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
const GARBAGE_KEY = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';

const cases: BadCase[] = [
  {
    name: 'no certs/<thing>/ folder',
    setup: () => ({ cwd: join(tmp.path, 'empty-cwd'), thing: 'ghost' }),
    anchor: 'identity-missing',
    message: /no folder certs\/ghost.*aws-setup/i,
  },
  {
    name: 'missing certificate file',
    setup: () => folder(ours({ key: good().key, ca: good().ca })),
    anchor: 'identity-missing',
    message: /No certificate in certs\/button-1.*--cert FILE/,
  },
  {
    name: 'missing file given by path',
    setup: () => ({ ...folder(ours(good())), certPath: 'certs/button-1/nope.pem.crt' }),
    anchor: 'identity-missing',
    message: /nope\.pem\.crt does not exist/,
  },
  {
    name: 'garbage PEM certificate',
    setup: () => folder(ours({ ...good(), cert: GARBAGE_CERT })),
    anchor: 'pem-invalid',
    message: /certificate\.pem\.crt is not a readable X\.509 certificate/,
  },
  {
    name: 'garbage PEM key',
    setup: () => folder(ours({ ...good(), key: GARBAGE_KEY })),
    anchor: 'pem-invalid',
    message: /private\.pem\.key is not a readable private key/,
  },
  {
    name: 'public key given as the private key',
    setup: () => folder(ours({ ...good(), key: makeKey('rsa2048').publicKey.export({ type: 'spki', format: 'pem' }).toString() })),
    anchor: 'key-is-public',
    message: /is a public key/,
  },
  {
    name: 'private key given as the certificate',
    setup: () => folder(ours({ ...good(), cert: good().key })),
    anchor: 'pem-invalid',
    message: /certificate\.pem\.crt holds a private key/,
  },
  {
    name: 'passphrase-protected key',
    setup: () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const enc = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
      return folder(ours({ ...good(), key: enc }));
    },
    anchor: 'key-encrypted',
    message: /passphrase.*openssl pkey/,
  },
  {
    name: 'key and certificate that do not match',
    setup: () => folder(ours({ ...good(), key: makeKey('rsa2048', true).pem })),
    anchor: 'key-cert-mismatch',
    message: /private\.pem\.key does not belong to the certificate certs\/button-1\/certificate\.pem\.crt/,
  },
  {
    name: 'expired certificate',
    setup: () => {
      const c = pki.client('button-1', { fromDays: -400, toDays: -2 });
      return folder(ours({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem }));
    },
    anchor: 'cert-expired',
    message: /certificate\.pem\.crt expired on .*create a new certificate/,
  },
  {
    name: 'certificate not yet valid',
    setup: () => {
      const c = pki.client('button-1', { fromDays: 3, toDays: 300 });
      return folder(ours({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem }));
    },
    anchor: 'cert-not-yet-valid',
    message: /not valid until .*clock/,
  },
  {
    name: 'EC key for direct TLS',
    setup: () => {
      const c = pki.client('button-1', { key: makeKey('ec256') });
      return { ...folder(ours({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem })), directTls: true };
    },
    anchor: 'key-not-rsa2048',
    message: /EC key.*ECDHE\/ECDSA.*RSA 2048/,
  },
  {
    name: 'RSA 4096 for direct TLS',
    setup: () => {
      const c = pki.client('button-1', { key: makeKey('rsa4096') });
      return { ...folder(ours({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem })), directTls: true };
    },
    anchor: 'key-not-rsa2048',
    message: /RSA 4096 key.*more RAM/,
  },
  {
    name: 'RSA 1024 anywhere',
    setup: () => {
      const c = pki.client('button-1', { key: makeKey('rsa1024') });
      return folder(ours({ cert: c.pem, key: c.key.pem, ca: pki.ca.pem }));
    },
    anchor: 'key-unsupported',
    message: /rsa 1024 key, which AWS IoT does not accept/,
  },
  {
    name: 'CA file that is a leaf certificate',
    setup: () => folder(ours({ ...good(), ca: pki.server.pem })),
    anchor: 'ca-not-ca',
    message: /AmazonRootCA1\.pem is not a CA certificate \(it is issued to localhost\)/,
  },
  {
    name: 'CA certificate given as the thing certificate',
    setup: () => folder(ours({ ...good(), cert: pki.ca.pem, key: pki.ca.key.pem })),
    anchor: 'cert-is-ca',
    message: /is a CA certificate, not the thing's own/,
  },
  {
    name: 'two candidate certificates',
    setup: () => {
      const a = pki.client('button-1');
      const b = pki.client('button-1');
      return folder({ 'aaaa-certificate.pem.crt': a.pem, 'bbbb-certificate.pem.crt': b.pem, 'private.pem.key': a.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
    },
    anchor: 'identity-ambiguous',
    message: /several certificates \(aaaa-certificate\.pem\.crt, bbbb-certificate\.pem\.crt\): pass --cert FILE/,
  },
  {
    name: 'two candidate keys',
    setup: () => {
      const a = pki.client('button-1');
      return folder({ 'certificate.pem.crt': a.pem, 'cccc-private.pem.key': a.key.pem, 'private.pem.key': a.key.pem, 'AmazonRootCA1.pem': pki.ca.pem });
    },
    anchor: 'identity-ambiguous',
    message: /several private keys .*--key FILE/,
  },
];

describe('loadIdentity rejects a bad identity with one clear sentence', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let caught: unknown;
    try {
      loadIdentity(c.setup());
    } catch (err) {
      caught = err;
    }
    expect(isUserError(caught)).toBe(true);
    const err = caught as Error & { anchor?: string };
    expect(err.anchor).toBe(c.anchor);
    expect(err.message).toMatch(c.message);
    // One sentence: no line breaks, ends with a full stop.
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).toMatch(/\.$/);
  });
});

test('a leaf certificate that AWS never issued still loads: the CA file is not checked as its issuer', () => {
  // AWS signs thing certificates with its own CA, not with AmazonRootCA1 (which signs the server).
  const other = makeCert({ cn: 'button-1', key: makeKey('rsa2048', true) });
  const { cwd, thing } = folder(ours({ cert: other.pem, key: other.key.pem, ca: pki.ca.pem }));
  expect(loadIdentity({ cwd, thing }).thingFromCert).toBe('button-1');
});
