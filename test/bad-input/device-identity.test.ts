// Bad identity files in the device's flash (direct TLS, esp32 profile, the exact bundle): no key,
// a PEM key where DER belongs, an EC key Espruino's mbedTLS cannot use, a certificate from another
// CA, a garbage CA file. Each gets a console line about the TLS connection and the device keeps
// running and retrying; provisioning good files and rebooting brings it online. And direct TLS
// configured on a stock ESP8266, which has no tls module. (The host-side checks that refuse such
// files before they reach a device: test/tools/certificates-bad-inputs.)
import { pemToDer } from '../../tools/pki/dev-pki';
import { makeCert, makeKey, makePki } from '../support/cert-fixtures';
import { createWorkspace, startRigBroker, startRigDevice, type RigBroker, type Workspace } from '../interop/support/rig';

let ws: Workspace;
let broker: RigBroker;
beforeAll(async () => {
  ws = await createWorkspace();
  broker = await startRigBroker('aws-like', ws.pki);
}, 60000);
afterAll(async () => {
  await broker?.close();
  ws?.cleanup();
});

const der = (pem: string) => pemToDer(pem);

interface Case {
  name: string;
  /** Storage files to replace (undefined: erase it). */
  files: (thing: string) => Record<string, Buffer | string | undefined>;
  line: RegExp;
}

const CASES: Case[] = [
  { name: 'no key.der', files: () => ({ 'key.der': undefined }), line: /^mqtt: socket closed before CONNACK \(TLS handshake failed\?\)|^mqtt: cannot reach/ },
  { name: 'key.der holding PEM text', files: (t) => ({ 'key.der': ws.pki.client(t).key }), line: /^mqtt: cannot reach .*mbedtls_pk_parse_key/ },
  {
    name: 'an EC P-256 key and certificate',
    files: (t) => {
      const key = makeKey('ec256');
      const pki = makePki();
      return { 'key.der': der(key.pem), 'cert.der': der(makeCert({ cn: t, key }, pki.ca).pem) };
    },
    line: /^mqtt: socket closed before CONNACK \(TLS handshake failed\?\)/,
  },
  {
    name: 'a certificate and key from another CA',
    files: (t) => {
      const c = makePki().client(t);
      return { 'key.der': der(c.key.pem), 'cert.der': der(c.pem) };
    },
    line: /^mqtt: socket closed before CONNACK \(TLS handshake failed\?\)/,
  },
  { name: 'a garbage ca.der', files: () => ({ 'ca.der': 'not a certificate' }), line: /^mqtt: cannot reach .*'ca'/ },
];

test.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: named on the console, the device stays up and retries, and good files fix it', async (_n, c, i) => {
  const thing = `bad-id-${i}`;
  const d = startRigDevice(ws, thing, { kind: 'direct', port: broker.port }, {}, false);
  try {
    for (const [name, data] of Object.entries(c.files(thing))) {
      if (data === undefined) d.device.storage.erase(name);
      else d.device.storage.write(name, data);
    }
    d.device.boot();
    const first = await d.waitLine(c.line, 15000);
    // It retries (a second such line), without connecting and without dying.
    await d.waitLine(c.line, 15000, d.lines.indexOf(first) + 1);
    expect(d.lines.some((l) => /^mqtt: connected/.test(l))).toBe(false);
    expect(d.device.evaluate('1+1')).toBe(2);
    // Provisioned again with its real identity, it connects after a reboot.
    const id = ws.pki.client(thing);
    d.device.storage.write('key.der', der(id.key));
    d.device.storage.write('cert.der', der(id.cert));
    d.device.storage.write('ca.der', der(ws.pki.ca));
    const from = d.lines.length;
    d.device.reboot();
    await d.waitLine(/^mqtt: connected/, 15000, from);
  } finally {
    await d.close();
  }
}, 60000);

test('direct TLS configured on a stock ESP8266 (no tls module) says to use the gateway, and does not try', async () => {
  const d = startRigDevice(ws, 'bad-id-esp8266', { kind: 'direct', port: broker.port }, {}, true, 'esp8266');
  try {
    await d.waitLine(/^error: .*no tls .*use the LAN gateway/, 10000);
    await new Promise((r) => setTimeout(r, 500));
    expect(d.lines.filter((l) => /^mqtt:|^wifi: connected/.test(l))).toEqual([]);
    expect(d.device.evaluate('1+1')).toBe(2);
  } finally {
    await d.close();
  }
}, 30000);
