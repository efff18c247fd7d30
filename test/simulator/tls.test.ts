// require("tls") on the esp32 profile against a local Node TLS server: DER credentials, mTLS with an
// RSA key, no SNI, no server verification, and the failure modes of Espruino's mbedTLS build.
import tls from 'node:tls';
import net from 'node:net';
import { fixture, makeDevice, waitFor, type TestDevice } from './helpers';
import { makePki } from './tls-certs';

const pki = makePki();
let t: TestDevice;
let server: tls.Server;
let port: number;
const peers: string[] = [];
const sni: string[] = [];
const sockets = new Set<net.Socket>();

beforeEach(async () => {
  peers.length = 0;
  sni.length = 0;
  server = tls.createServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      SNICallback: (name, cb) => {
        sni.push(name);
        cb(null, undefined);
      },
    },
    (s) => {
      peers.push(String(s.getPeerCertificate().subject?.CN));
      s.on('data', (d) => s.write('pong:' + d.toString()));
      s.on('error', () => undefined);
    },
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  t = makeDevice({ profile: 'esp32', timing: { connectMs: 5, dhcpMs: 5 } });
  t.device.storage.write('ca.der', pki.ca.certDer);
  t.device.storage.write('cert.der', pki.client.certDer);
  t.device.storage.write('key.der', pki.client.keyDer);
  t.device.boot();
  t.device.evaluate('require("Wifi").connect("sim-ap", {password: "sim-pass"})');
  await waitFor(() => t.device.evaluate('require("Wifi").getStatus().station') === 'connected', 'Wi-Fi');
});
afterEach(async () => {
  await t.device.close();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => server.close(() => r()));
});

test('mutual TLS with DER credentials from Storage works, without SNI', async () => {
  t.device.evaluate(`var PORT = ${port};`);
  t.device.evaluate(fixture('tls-client.js'));
  await waitFor(() => t.output().includes('tls '), 'TLS exchange');
  expect(t.output()).toContain('tls connect,data pong:ping,end,close false');
  expect(peers).toEqual(['device-1']);
  expect(sni).toEqual([]);
});

test('the server certificate is not verified, even with an unrelated ca', async () => {
  t.device.storage.write('ca.der', pki.otherCa.certDer);
  t.device.evaluate(`var PORT = ${port};`);
  t.device.evaluate(fixture('tls-client.js'));
  await waitFor(() => t.output().includes('tls '), 'TLS exchange');
  expect(t.output()).toContain('data pong:ping');
});

test('an EC client key fails the handshake: an uncaught InternalError, then close without an error event', async () => {
  t.device.storage.write('key.der', pki.ecKeyDer);
  t.device.evaluate(`var PORT = ${port};`);
  t.device.evaluate(fixture('tls-client.js'));
  await waitFor(() => t.output().includes('tls '), 'TLS failure');
  expect(t.output()).toMatch(/Uncaught InternalError: mbedtls_ssl_handshake returned/);
  expect(t.output()).toContain('tls connect,end,close false');
});

test('PEM text or garbage instead of DER throws at connect', () => {
  t.device.storage.write('cert.der', pki.client.certPem);
  t.device.evaluate(`var PORT = ${port};`);
  expect(() => t.device.evaluate(fixture('tls-client.js'))).toThrow("HTTPS init failed! mbedtls_x509_crt_parse of 'cert': Invalid format");
  t.device.storage.write('cert.der', pki.client.certDer);
  t.device.storage.write('key.der', 'not a key');
  expect(() => t.device.evaluate(fixture('tls-client.js'))).toThrow('HTTPS init failed! mbedtls_pk_parse_key: Invalid format');
});

test('a plain server that does not speak TLS fails the handshake the same way', async () => {
  const conns = new Set<net.Socket>();
  const plain = net.createServer((s) => {
    conns.add(s);
    s.on('error', () => undefined);
    s.end('HTTP/1.0 400 nope\r\n\r\n');
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  try {
    t.device.evaluate(`var PORT = ${(plain.address() as net.AddressInfo).port};`);
    t.device.evaluate(fixture('tls-client.js'));
    await waitFor(() => t.output().includes('tls '), 'failure', 3000).catch((e) => {
      throw new Error(`${e.message}: ${t.output().slice(-400)}`);
    });
    expect(t.output()).toMatch(/Uncaught InternalError: mbedtls_ssl_handshake returned/);
  } finally {
    for (const s of conns) s.destroy();
    await new Promise<void>((r) => plain.close(() => r()));
  }
});
