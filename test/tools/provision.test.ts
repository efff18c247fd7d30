// provision end to end on the virtual NodeMCU running the real firmware: direct TLS to the AWS-like
// broker (ESP32 profile, which has tls) and through the LAN gateway (stock ESP8266, which has not),
// then a second identity replacing the first. Secrets never reach the log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'aedes';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { startGateway, type Gateway } from '../../tools/gateway/run';
import { openDeviceStore } from '../../tools/gateway/device-store';
import { run } from '../../tools/provision/run';
import { createMemoryLogger } from '../../tools/shared/log';
import type { TempPki } from '../support/pki';
import { createProvisionBench, until, type ProvisionBench } from '../support/provision-bench';

let bench: ProvisionBench;
let temp: TempPki;
let broker: AwsLikeBroker;
let cwd: string;
/** Certificate fingerprints (SHA-256) each client id connected to the broker with, in order. */
const connections: { id: string; fingerprint: string }[] = [];

beforeAll(async () => {
  bench = await createProvisionBench('provision-test');
  temp = bench.temp;
  cwd = bench.cwd;
  broker = await startAwsLikeBroker({ port: 0, pki: temp.pki });
  broker.aedes.on('client', (c: Client) => {
    const cert = (c.conn as TLSSocket).getPeerCertificate?.();
    connections.push({ id: c.id, fingerprint: cert?.fingerprint256 ?? '' });
  });
}, 60000);

afterAll(async () => {
  await bench.close();
  await broker.close();
});

const identityFolder = (thing: string, info?: Record<string, unknown>) => bench.identityFolder(thing, info);
const device = (profile: 'esp8266' | 'esp32') => bench.device(profile);

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;
const deps = (log = createMemoryLogger()) => ({ log, findPort: async (p?: string) => p! });

test('direct TLS: the device connects to the broker with the identity provisioned, and a second identity replaces the first', async () => {
  const sim = await device('esp32');
  // aws-setup's thing.json: provision records the mode there, for npm run update.
  const first = identityFolder('button-1', { thing: 'button-1', endpoint: '127.0.0.1', port: broker.port });
  const log = createMemoryLogger(true);
  const r1 = await run(
    { cwd, thing: 'button-1', port: `tcp://127.0.0.1:${sim.port}`, endpoint: `127.0.0.1:${broker.port}`, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass', pins: { led: 'D4' } },
    deps(log),
  );
  expect(r1.mode).toBe('direct');
  expect(JSON.parse(readFileSync(join(cwd, 'certs', 'button-1', 'thing.json'), 'utf8'))).toEqual({ thing: 'button-1', endpoint: '127.0.0.1', port: broker.port, mode: 'direct' });
  await until('button-1 connects', () => connections.some((c) => c.id === 'button-1' && c.fingerprint === fingerprintOf(first.certPem)));
  const files1 = r1.written.filter((f) => f.name.endsWith('.der')).map((f) => f.name);
  expect(files1).toHaveLength(3);
  expect(sim.device.storage.read('config.bak')).toEqual(sim.device.storage.read('config.json'));
  expect(JSON.parse(sim.device.storage.read('config.json')!.toString()).tls.key).toBe(files1[0]);

  const second = identityFolder('button-2');
  const r2 = await run({ cwd, thing: 'button-2', port: `tcp://127.0.0.1:${sim.port}`, endpoint: `127.0.0.1:${broker.port}` }, deps(log));
  await until('button-2 connects', () => connections.some((c) => c.id === 'button-2' && c.fingerprint === fingerprintOf(second.certPem)));
  const config = JSON.parse(sim.device.storage.read('config.json')!.toString());
  // The old key and certificate are gone (the CA, the same bytes, keeps its content-addressed
  // name); settings and Wi-Fi the old config had are kept.
  const [oldKey, oldCert, ca] = files1;
  expect(r2.erased.sort()).toEqual([oldCert, oldKey].sort());
  expect(sim.device.storage.read(oldKey)).toBeUndefined();
  expect(sim.device.storage.read(oldCert)).toBeUndefined();
  expect(config.tls.ca).toBe(ca);
  expect(config.thing).toBe('button-2');
  expect(config.pins.led).toBe('D4');
  expect(config.wifi).toEqual({ ssid: 'sim-ap', password: 'sim-pass' });
  expect(sim.device.storage.list().filter((n) => n.endsWith('.der'))).toHaveLength(3);

  const printed = [...log.lines, ...log.outLines].join('\n');
  expect(printed).not.toContain('sim-pass');
  for (const pem of [first.keyPem, second.keyPem]) {
    const body = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(pem)![1].replace(/\s+/g, '');
    expect(printed).not.toContain(body.slice(0, 40));
  }
}, 60000);

test('gateway mode: a stock ESP8266 gets the address of the gateway that answers on the LAN (mDNS) and a secret, the gateway the AWS identity, and old key files are erased', async () => {
  const sim = await device('esp8266');
  identityFolder('button-3');
  const store = join(cwd, '.gateway');
  const gwLog: string[] = [];
  // mDNS on loopback, on a port of this test's own: nothing leaves this machine.
  const mdns = { interface: '127.0.0.1', port: 20000 + Math.floor(Math.random() * 20000) };
  const gateway: Gateway = await startGateway({ bind: '127.0.0.1', port: 0, store, upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: temp.pki.caPath }, advertise: mdns, log: (l) => gwLog.push(l) });
  try {
    // An earlier direct-TLS identity the device no longer can use: its key must not stay behind.
    sim.device.storage.write('key-0badc0de.der', Buffer.from([0x30, 1, 2, 3]));
    sim.device.storage.write('config.json', JSON.stringify({ thing: 'old', tls: { key: 'key-0badc0de.der' }, button: { longMs: 900 } }));
    const log = createMemoryLogger();
    const r = await run(
      { cwd, thing: 'button-3', port: `tcp://127.0.0.1:${sim.port}`, gatewayStore: store, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass' },
      { ...deps(), log, env: { BUTTON_MDNS: `${mdns.interface}:${mdns.port}` } },
    );
    expect(log.lines.join('\n')).toContain(`at 127.0.0.1:${gateway.port}`);
    expect(r.mode).toBe('gateway');
    expect(r.erased).toEqual(['key-0badc0de.der']);
    await until('the gateway forwards button-3 to the broker', () => connections.some((c) => c.id === 'button-3'));
    const config = JSON.parse(sim.device.storage.read('config.json')!.toString());
    const enrolled = openDeviceStore(store).get('button-3')!;
    expect(config.mqtt).toEqual({ host: '127.0.0.1', port: gateway.port, transport: 'tcp' });
    expect(config.gateway.secret).toBe(enrolled.secret);
    expect(config.tls).toBeUndefined();
    expect(config.button.longMs).toBe(900);
    expect(sim.device.storage.list().filter((n) => n.endsWith('.der'))).toEqual([]);
    expect(readFileSync(join(enrolled.certDir, 'certificate.pem.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');

    // Provisioning again keeps the secret, so device and gateway never disagree; with no gateway
    // answering, the one the device had is kept.
    const again = createMemoryLogger();
    await run({ cwd, thing: 'button-3', port: `tcp://127.0.0.1:${sim.port}`, gatewayStore: store }, { ...deps(), log: again, findGateways: async () => [] });
    const after = JSON.parse(sim.device.storage.read('config.json')!.toString());
    expect(after.gateway.secret).toBe(enrolled.secret);
    expect(after.mqtt).toEqual({ host: '127.0.0.1', port: gateway.port, transport: 'tcp' });
    expect(again.lines.join('\n')).toContain(`keeping the one the device had, 127.0.0.1:${gateway.port}`);
  } finally {
    await gateway.close();
  }
}, 60000);
