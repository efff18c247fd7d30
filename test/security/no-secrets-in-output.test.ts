// No private key, device secret or Wi-Fi password in anything the tools, the gateway or the
// simulator print. The tools run as a user runs them (child processes, --verbose where they have
// it): provision in both modes, doctor, the gateway command, npm start; plus the gateway's and the
// broker's logs, and the virtual NodeMCUs' console output and whole terminal stream, while devices
// boot, connect and press. Each secret is looked for in every form it could leak in.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDer } from '../../tools/pki/dev-pki';
import { openDeviceStore } from '../../tools/gateway/device-store';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { createWorkspace, ROOT, startRigBroker, startWatcher, until, type RigBroker, type Watcher, type Workspace } from '../interop/support/rig';

const WIFI_PASSWORD = 'wifi-Pa55-phrase-7719';
const DIRECT = 'secret-direct';
const VIA_GW = 'secret-gateway';

let ws: Workspace;
let broker: RigBroker;
let watcher: Watcher;
let cwd: string;
const sims: RunningSimulator[] = [];
const children: ChildProcess[] = [];
/** Everything printed anywhere, by source. */
const out: Record<string, string> = {};
const add = (source: string, text: string) => (out[source] = (out[source] ?? '') + text);

beforeAll(async () => {
  ws = await createWorkspace();
  broker = await startRigBroker('aws-like', ws.pki);
  watcher = await startWatcher(ws.pki, broker.port);
  cwd = mkdtempSync(join(tmpdir(), 'secrets-'));
  // certs/<thing>/ as aws-setup leaves it, with the dev CA standing in for AmazonRootCA1.
  for (const thing of [DIRECT, VIA_GW]) {
    const id = ws.pki.client(thing);
    const dir = join(cwd, 'certs', thing);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'certificate.pem.crt'), id.cert);
    writeFileSync(join(dir, 'private.pem.key'), id.key, { mode: 0o600 });
    writeFileSync(join(dir, 'AmazonRootCA1.pem'), ws.pki.ca);
  }
}, 60000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of sims) await s.close();
  await watcher?.close();
  await broker?.close();
  ws?.cleanup();
  rmSync(cwd, { recursive: true, force: true });
});

function cli(args: string[], source: string, opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'tools/cli.ts'), ...args], {
      cwd: opts.cwd ?? cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(c);
    c.stdout!.on('data', (d) => add(source, d.toString()));
    c.stderr!.on('data', (d) => add(source, d.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 90000);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

async function simulator(profile: 'esp8266' | 'esp32', name: string): Promise<RunningSimulator> {
  const s = await runSimulator({ consolePort: 0, profile, bundle: ws.bundle, wifi: { ssid: 'sim-ap', password: WIFI_PASSWORD }, log: (l) => add(`${name} console`, l + '\n') });
  s.device.onTerminal((t) => add(`${name} terminal`, t));
  sims.push(s);
  return s;
}

/** Every form a secret could leak in: as is, and for keys their base64 lines and DER bytes. */
function forms(): { what: string; needle: string }[] {
  const f: { what: string; needle: string }[] = [{ what: 'the Wi-Fi password', needle: WIFI_PASSWORD }];
  for (const thing of [DIRECT, VIA_GW]) {
    const pem = readFileSync(join(cwd, 'certs', thing, 'private.pem.key'), 'utf8');
    const der = pemToDer(pem);
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    f.push({ what: `${thing}'s private key (PEM body)`, needle: body });
    for (const line of pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))) f.push({ what: `a line of ${thing}'s private key`, needle: line });
    // Windows of the DER past the public part (the private exponent and primes), as hex, latin1 and base64.
    for (const at of [400, 700, 1000]) {
      const w = der.subarray(at, at + 24);
      f.push({ what: `${thing}'s private key (DER hex)`, needle: w.toString('hex') });
      f.push({ what: `${thing}'s private key (DER bytes)`, needle: w.toString('latin1') });
      f.push({ what: `${thing}'s private key (DER base64)`, needle: der.subarray(at - (at % 3), at - (at % 3) + 24).toString('base64') });
    }
  }
  const store = join(cwd, '.gateway');
  const secret = openDeviceStore(store).get(VIA_GW)?.secret;
  if (secret) {
    f.push({ what: 'the device secret', needle: secret });
    for (let i = 0; i + 20 <= secret.length; i += 11) f.push({ what: 'part of the device secret', needle: secret.slice(i, i + 20) });
    f.push({ what: 'the device secret (base64)', needle: Buffer.from(secret).toString('base64').slice(4, 40) });
  }
  return f;
}

/** What the virtual devices' console showed, found by the first test. */
let deviceLeaks: string[] | undefined;

test('provision, doctor, the gateway command, the gateway and the broker print no secret while devices are provisioned, run and checked', async () => {
  // The gateway as a user runs it, in the foreground, on the store provision fills.
  const store = join(cwd, '.gateway');
  const gwCode = cli(['gateway', '--bind', '127.0.0.1', '--port', '0', '--store', store, '--endpoint', '127.0.0.1', '--aws-port', String(broker.port), '--ca', ws.pki.caPath], 'gateway command', { timeoutMs: 240000 });
  await until(() => /listening on 127\.0\.0\.1:\d+/.test(out['gateway command'] ?? ''), 30000, () => `the gateway did not start:\n${out['gateway command']}`);
  const gwPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out['gateway command']!)![1]);

  const direct = await simulator('esp32', 'direct device');
  const viaGw = await simulator('esp8266', 'gateway device');
  const common = ['--wifi-ssid', 'sim-ap', '--wifi-password', WIFI_PASSWORD, '--verbose'];
  expect(await cli(['provision', '--thing', DIRECT, '--port', `tcp://127.0.0.1:${direct.port}`, '--endpoint', `127.0.0.1:${broker.port}`, '--mode', 'direct', ...common], 'provision direct')).toBe(0);
  expect(await cli(['provision', '--thing', VIA_GW, '--port', `tcp://127.0.0.1:${viaGw.port}`, '--mode', 'gateway', '--gateway', `127.0.0.1:${gwPort}`, '--gateway-store', store, ...common], 'provision gateway')).toBe(0);
  // Provisioning restarts the firmware; both connect and a press of each reaches the cloud.
  await until(() => /mqtt: connected/.test(out['direct device console'] ?? '') && /mqtt: connected/.test(out['gateway device console'] ?? ''), 30000, () => JSON.stringify(out, null, 1).slice(-3000));
  await direct.device.press(150);
  await viaGw.device.press(150);
  await until(() => watcher.events(DIRECT).length === 1 && watcher.events(VIA_GW).length === 1, 20000, () => JSON.stringify(watcher.messages));
  expect(await cli(['doctor', '--port', `tcp://127.0.0.1:${direct.port}`, '--verbose'], 'doctor direct')).not.toBeNull();
  expect(await cli(['doctor', '--port', `tcp://127.0.0.1:${viaGw.port}`, '--verbose'], 'doctor gateway')).not.toBeNull();
  // The gateway stops on Ctrl-C and says so.
  const gw = children[0];
  gw.kill('SIGINT');
  expect(await gwCode).toBe(0);
  add('broker log', broker.log.join('\n'));

  const leaks = new Set<string>();
  const onDevice = new Set<string>();
  for (const [source, text] of Object.entries(out)) {
    // The virtual devices' own output is judged in the next test.
    const found = / device (console|terminal)$/.test(source) ? onDevice : leaks;
    expect(text.length).toBeGreaterThan(0);
    for (const f of forms()) if (text.includes(f.needle)) found.add(`${source} printed ${f.what}`);
    // Base64 runs decoded: a config.json or key file read back as btoa(...) hides its secrets.
    const decoded = (text.match(/[A-Za-z0-9+/]{24,}={0,2}/g) ?? []).map((b) => Buffer.from(b, 'base64').toString('latin1')).join('\n');
    for (const f of forms()) if (decoded.includes(f.needle)) found.add(`${source} printed ${f.what}, base64-encoded`);
    // A CONNECT password is a one-time token, but still no business in a log.
    if (/v1:\d+:[0-9a-f]{40}/.test(text)) found.add(`${source} printed a CONNECT password`);
  }
  expect([...leaks]).toEqual([]);
  deviceLeaks = [...onDevice];
  // Sanity: the device secret was found to look for, and the sources all ran.
  expect(forms().some((f) => f.what === 'the device secret')).toBe(true);
  expect(Object.keys(out).sort()).toEqual(
    ['broker log', 'direct device console', 'direct device terminal', 'doctor direct', 'doctor gateway', 'gateway command', 'gateway device console', 'gateway device terminal', 'provision direct', 'provision gateway'].sort(),
  );
}, 300000);

test('npm start -- --press single --exit --verbose prints no key, Wi-Fi password or device secret', async () => {
  // The demo runs in the repository with its dev PKI; its gateway secret is made fresh and never shown.
  const code = await cli(['start', '--press', 'single', '--exit', '--broker-port', '0', '--verbose', '--timeout', '40'], 'npm start', { cwd: ROOT, timeoutMs: 110000 });
  const text = out['npm start'] ?? '';
  expect(code).toBe(0);
  expect(text).toMatch(/"clickType":"SINGLE"/);
  expect(text).not.toMatch(/PRIVATE KEY/);
  expect(text).not.toMatch(/sim-pass/); // the demo's Wi-Fi password
  expect(text).not.toMatch(/(^|[^0-9a-f])[0-9a-f]{64}([^0-9a-f]|$)/); // a device secret's shape
  expect(text).not.toMatch(/v1:\d+:[0-9a-f]{40}/);
  const key = readFileSync(join(ROOT, 'certs/dev/sim-button.key'), 'utf8');
  for (const line of key.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))) expect(text).not.toContain(line);
}, 120000);

// provision and doctor read config.json (Wi-Fi password, device secret), and doctor the private key,
// back over the console: masked by a one-time pad (tools/device/storage-writer.ts readStorageFile),
// so neither the virtual NodeMCU's log nor its terminal stream shows them.
test("the virtual NodeMCU's console shows no secret while it is provisioned and checked", () => {
  expect(deviceLeaks).toBeDefined();
  expect(deviceLeaks).toEqual([]);
});
