// doctor on a good board (real firmware, gateway mode, connected) and on broken ones: the
// checklist names each problem with its fix, fails only on failures, never prints the key or the
// Wi-Fi password, and leaves the board exactly as it was.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { startGateway } from '../../tools/gateway/run';
import type { RunningSimulator } from '../../tools/simulator/run';
import { run as provision } from '../../tools/provision/run';
import { run as doctor } from '../../tools/doctor/run';
import { runChecks, type Check } from '../../tools/doctor/checks';
import type { DeviceReport } from '../../tools/doctor/gather';
import { createMemoryLogger } from '../../tools/shared/log';
import { isUserError } from '../../tools/shared/errors';
import { pemToDer } from '../../tools/pki/dev-pki';
import type { TempPki } from '../support/pki';
import { createProvisionBench, type ProvisionBench } from '../support/provision-bench';
import { makeKey, makePki } from '../support/cert-fixtures';

let temp: TempPki;
let broker: AwsLikeBroker;
let cwd: string;
let bench: ProvisionBench;
const deps = (log = createMemoryLogger(), sim?: RunningSimulator) => ({
  log,
  findPort: async (p?: string) => p!,
  // The board's ports 23 and 88 are the simulator's stand-ins on 127.0.0.1.
  lanAddress: (_ip: string, port: number) => ({ host: '127.0.0.1', port: (port === 23 ? sim?.lan.telnet : sim?.lan.fota) ?? 1 }),
});

beforeAll(async () => {
  bench = await createProvisionBench('doctor-test');
  temp = bench.temp;
  cwd = bench.cwd;
  broker = await startAwsLikeBroker({ port: 0, pki: temp.pki });
}, 60000);

afterAll(async () => {
  await bench.close();
  await broker.close();
});

const device = (profile: 'esp8266' | 'esp32', withFirmware: boolean) => bench.device(profile, withFirmware, { telnet: 0, fota: 0 });

async function doctorFails(sim: RunningSimulator, log = createMemoryLogger()): Promise<{ message: string; lines: string[] }> {
  try {
    await doctor({ cwd: process.cwd(), port: `tcp://127.0.0.1:${sim.port}` }, deps(log, sim));
  } catch (e) {
    if (isUserError(e) && e.anchor === 'doctor-failed') return { message: e.message, lines: log.outLines };
    throw e;
  }
  throw new Error('doctor passed a broken board');
}

/** The checklist line of check `name` (names are padded to one width, then two spaces). */
const line = (lines: string[], name: string) => lines.find((l) => l.slice(7).split(/\s{2,}/)[0] === name) ?? `(no ${name} line)`;

test('a good board passes: every check ok or skipped, and the board is left as it was', async () => {
  const sim = await device('esp8266', true);
  const thing = 'doc-1';
  const dir = join(cwd, 'certs', thing);
  mkdirSync(dir, { recursive: true });
  const id = temp.pki.client(thing);
  writeFileSync(join(dir, 'certificate.pem.crt'), id.cert);
  writeFileSync(join(dir, 'private.pem.key'), id.key);
  writeFileSync(join(dir, 'AmazonRootCA1.pem'), temp.pki.ca);
  const store = join(cwd, '.gateway');
  const gateway = await startGateway({ bind: '127.0.0.1', port: 0, store, upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: temp.pki.caPath }, log: () => {} });
  try {
    await provision({ cwd, thing, port: `tcp://127.0.0.1:${sim.port}`, gateway: `127.0.0.1:${gateway.port}`, gatewayStore: store, wifiSsid: 'sim-ap', wifiPassword: 'sim-pass' }, deps());
    for (let i = 0; i < 400 && !broker.aedes.connectedClients; i++) await new Promise((r) => setTimeout(r, 25));
    expect(broker.aedes.connectedClients).toBeGreaterThan(0);
    // The simulator's memory estimate stalls (and trips its watchdog) while the firmware holds a
    // socket: reported to its owner. Stand in a plausible answer so the rest of doctor is tested here.
    sim.device.evaluate('process.memory=function(){return {free:900,usage:700,total:1600}}');
    sim.device.evaluate('global.untouched=42');
    const files = sim.device.storage.list().map((n) => [n, sim.device.storage.read(n)]);

    const log = createMemoryLogger();
    const checks: Check[] = await doctor({ cwd: process.cwd(), port: `tcp://127.0.0.1:${sim.port}` }, deps(log, sim));
    // The one warning a locked stock ESP8266 keeps: port 88, which JavaScript cannot close.
    expect(checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.name)).toEqual(['update server (port 88)']);
    expect(line(log.outLines, 'soft AP')).toMatch(/^\[ ok \] soft AP +off/);
    expect(line(log.outLines, 'telnet console')).toMatch(/^\[ ok \] telnet console +port 23 refuses connections/);
    expect(log.outLines.join('\n')).toMatch(/fix: put the board on its own SSID or VLAN \(docs\/security\.md\), or use an Espruino build made with NO_FOTA/);
    expect(line(log.outLines, 'Wi-Fi')).toMatch(/\[ ok \] Wi-Fi .*connected to sim-ap, IP \d+\.\d+\.\d+\.\d+/);
    expect(line(log.outLines, 'config.json')).toMatch(new RegExp(`thing ${thing}, MQTT 127\\.0\\.0\\.1:${gateway.port} \\(tcp\\)`));
    expect(line(log.outLines, 'tls module')).toMatch(/gateway mode needs none/);
    expect(line(log.outLines, 'MQTT')).toMatch(/^\[skip\]/);
    expect(log.outLines.join('\n')).not.toContain('sim-pass');
    expect(sim.device.evaluate('global.untouched')).toBe(42);
    expect(sim.device.storage.list().map((n) => [n, sim.device.storage.read(n)])).toEqual(files);
  } finally {
    await gateway.close();
  }
}, 60000);

test('a broken board fails, with a fix for each problem and the key never printed', async () => {
  const sim = await device('esp32', false);
  const pki = makePki();
  const expired = pki.client('doc-2', { fromDays: -400, toDays: -1 });
  const otherKey = makeKey('rsa2048', true).privateKey.export({ type: 'pkcs1', format: 'der' });
  sim.device.storage.write('cert-1.der', pemToDer(expired.pem));
  sim.device.storage.write('key-1.der', otherKey);
  sim.device.storage.write('ca-1.der', pemToDer(pki.client('not-a-ca').pem));
  sim.device.storage.write('config.json', JSON.stringify({ thing: 'doc-2', wifi: { ssid: 'nowhere', password: 'hunter22' }, tls: { key: 'key-1.der', cert: 'cert-1.der', ca: 'ca-1.der' } }));

  const log = createMemoryLogger(true);
  const f = await doctorFails(sim, log);
  expect(f.message).toMatch(/checks failed \(firmware \(\.bootcde\), certificate, private key, CA certificate, Wi-Fi\)/);
  expect(line(f.lines, 'firmware (.bootcde)')).toMatch(/\[FAIL\].*missing/);
  expect(f.lines).toContain(f.lines.find((l) => l.includes('fix: npm run flash')));
  expect(line(f.lines, 'certificate')).toMatch(/\[FAIL\] certificate .*expired on/);
  expect(line(f.lines, 'private key')).toMatch(/\[FAIL\].*key-1\.der does not belong to cert-1\.der/);
  expect(line(f.lines, 'CA certificate')).toMatch(/\[FAIL\].*not a CA certificate/);
  const printed = [...log.lines, ...log.outLines].join('\n');
  expect(printed).not.toContain(otherKey.toString('base64').slice(0, 40));
  expect(printed).not.toContain('hunter22');
});

test('config.json unusable but config.bak good: a warning that the firmware falls back, not a failure of its own', async () => {
  const sim = await device('esp8266', false);
  sim.device.storage.write('config.bak', JSON.stringify({ thing: 'doc-3', mqtt: { host: '10.0.0.2', port: 1883, transport: 'tcp' }, gateway: { secret: 'b'.repeat(64) } }));
  sim.device.storage.write('config.json', '{"thing":"doc-3","mq');
  const f = await doctorFails(sim);
  expect(line(f.lines, 'config.json')).toMatch(/^\[warn\] config\.json .*falls back to config\.bak/);
  expect(f.message).not.toMatch(/config\.json/);
});

function report(over: Partial<DeviceReport> = {}): DeviceReport {
  return {
    info: { version: '2v29', board: 'ESP8266_4MB', modules: ['Wifi'], hasTls: false, storage: { totalBytes: 196608, freeBytes: 150000, fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0 } },
    memory: { free: 1000, total: 1600 },
    sizes: { bootcde: 20000, config: 60, backup: 60, fwA: -1, fwB: -1 },
    configText: JSON.stringify({ thing: 't', mqtt: { host: 'gw', port: 1883, transport: 'tcp' } }),
    backupText: '',
    wifi: { status: 'connected', ssid: 'n', ip: '10.0.0.9' },
    doors: { console: 'Serial1', ap: 'disabled', apAuth: 'open', lan: { telnet: 'closed', fota: 'closed' } },
    der: {},
    ...over,
  };
}

test('each kind of board problem maps to its failing check', () => {
  const status = (r: DeviceReport, name: string) => runChecks(r, { hasBoardJson: true }).find((c) => c.name === name)?.status;
  expect(status(report(), 'Espruino version')).toBe('ok');
  expect(status(report({ info: { ...report().info, version: '2v19' } }), 'Espruino version')).toBe('fail');
  expect(status(report({ configText: JSON.stringify({ thing: 't' }) }), 'tls module')).toBe('fail');
  expect(status(report({ memory: { free: 60, total: 1600 } }), 'free memory')).toBe('fail');
  expect(status(report({ memory: { free: 200, total: 1600 } }), 'free memory')).toBe('warn');
  expect(status(report({ info: { ...report().info, storage: { ...report().info.storage, freeBytes: 1000 } } }), 'free Storage')).toBe('fail');
  expect(status(report({ sizes: { bootcde: 1, config: -1, backup: -1, fwA: -1, fwB: -1 } }), 'config.json')).toBe('fail');
  expect(status(report({ wifi: { status: 'no_ap_found', ssid: 'n', ip: '0.0.0.0' } }), 'Wi-Fi')).toBe('fail');
  expect(runChecks(report(), { hasBoardJson: false }).find((c) => c.name === 'board')?.status).toBe('warn');
});

test('a board with the A/B layout is judged by its firmware slots, not by the loader in .bootcde', () => {
  const c = runChecks(report({ sizes: { bootcde: 858, config: 60, backup: 60, fwA: 17628, fwB: -1 } }), { hasBoardJson: true });
  expect(c.find((x) => x.name === 'firmware (A/B slots)')).toMatchObject({ status: 'ok', detail: 'slot a 17628 bytes; loader 858 bytes' });
  expect(c.find((x) => x.name === 'firmware (.bootcde)')).toBeUndefined();
});

describe('the doors (docs/security.md)', () => {
  const doorLines = (over: Partial<DeviceReport>) => {
    const c = runChecks(report(over), { hasBoardJson: true });
    return Object.fromEntries(c.filter((x) => ['soft AP', 'telnet console', 'update server (port 88)'].includes(x.name)).map((x) => [x.name, [x.status, x.detail, x.fix ?? '']]));
  };

  test('a locked board: AP off, port 23 refuses, port 88 silent', () => {
    const d = doorLines({});
    expect(d['soft AP'][0]).toBe('ok');
    expect(d['telnet console'][0]).toBe('ok');
    expect(d['update server (port 88)'][0]).toBe('ok');
  });

  test('a stock ESP8266: the open AP and port 23 fail, port 88 warns with the fix', () => {
    const d = doorLines({ doors: { console: 'Serial1', ap: 'enabled', apAuth: 'open', lan: { telnet: 'open', fota: 'open', fotaReply: 'HTTP/1.1 200 OK user2.bin' } } });
    expect(d['soft AP'].slice(0, 1)).toEqual(['fail']);
    expect(d['soft AP'][2]).toMatch(/stopAP/);
    expect(d['telnet console'][0]).toBe('fail');
    expect(d['telnet console'][2]).toMatch(/npm run flash/);
    expect(d['update server (port 88)'][0]).toBe('warn');
    expect(d['update server (port 88)'][2]).toMatch(/own SSID or VLAN.*NO_FOTA/);
  });

  test('doctor over the telnet console itself warns that it is open (maintenance mode)', () => {
    expect(doorLines({ doors: { console: 'Telnet', ap: 'disabled', lan: { telnet: 'open', fota: 'closed' } } })['telnet console'][0]).toBe('warn');
  });

  test('a board without an IP or a soft AP: those checks are skipped, not failed', () => {
    const d = doorLines({ doors: { console: 'Serial1', apError: 'Error: Module "Wifi" not found' } });
    expect([d['soft AP'][0], d['telnet console'][0], d['update server (port 88)'][0]]).toEqual(['skip', 'skip', 'skip']);
  });

  test("probeLanDoors sees the simulator's telnet console and port-88 stand-in as a board's", async () => {
    const { createVirtualDevice } = await import('../../tools/simulator/device');
    const { probeLanDoors } = await import('../../tools/doctor/lan-doors');
    const dev = createVirtualDevice({ profile: 'esp8266' });
    try {
      const ports = await dev.serveLan({ telnet: 0, fota: 0 });
      dev.boot();
      dev.evaluate('require("Wifi").connect("sim-ap",{password:"sim-pass"})');
      for (let i = 0; i < 200 && dev.evaluate('require("Wifi").getIP().ip') === '0.0.0.0'; i++) await new Promise((r) => setTimeout(r, 10));
      await dev.lanSettled();
      const address = (_ip: string, port: number) => ({ host: '127.0.0.1', port: port === 23 ? ports.telnet! : ports.fota! });
      expect(await probeLanDoors('192.168.1.50', { address })).toEqual({ telnet: 'open', fota: 'open', fotaReply: 'HTTP/1.1 200 OK user2.bin' });
      dev.evaluate('require("TelnetServer").setOptions({mode:"off"})');
      await dev.lanSettled();
      expect((await probeLanDoors('192.168.1.50', { address })).telnet).toBe('closed');
    } finally {
      await dev.close();
    }
  });
});
