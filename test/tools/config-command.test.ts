// `npm run config`: get shows config.json as the device uses it with secrets masked; set changes
// fields validated by the device's own rules, backup first, and restarts the firmware into them;
// every bad input is one sentence and leaves the device's Storage byte for byte as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware } from '../../tools/build/build-firmware';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { getConfig, setConfig } from '../../tools/config/run';
import { configKeys } from '../../tools/config/config-keys';
import { configRules } from '../../config/rules';
import { createMemoryLogger } from '../../tools/shared/log';
import { isUserError } from '../../tools/shared/errors';

const SECRET = 'ab'.repeat(32);
const WIFI_PASSWORD = 'sim-pass-1234';
const start = { thing: 'button-7', wifi: { ssid: 'sim-ap', password: WIFI_PASSWORD }, mqtt: { host: '127.0.0.1', port: 1, transport: 'tcp' }, gateway: { secret: SECRET }, healthS: 0, button: { longMs: 900 } };

let sim: RunningSimulator;
let dir: string;
const consoleLines: string[] = [];
const port = () => `tcp://127.0.0.1:${sim.port}`;
const deps = (log = createMemoryLogger()) => ({ log, findPort: async (p?: string) => p! });
const stored = () => JSON.parse(sim.device.storage.read('config.json')!.toString()) as Record<string, Record<string, unknown>>;
const snapshot = () => new Map(sim.device.storage.list().map((n) => [n, sim.device.storage.read(n)!]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'config-cmd-'));
  const bundle = readFileSync((await buildFirmware({ cwd: process.cwd(), outFile: join(dir, 'firmware.js'), budgetBytes: 64 * 1024, log: () => {} })).outFile, 'latin1');
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266', bundle, log: (l) => consoleLines.push(l) });
}, 60000);

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sim.device.storage.write('config.json', JSON.stringify(start));
});

test('the keys are the rule table\'s fields, every one', () => {
  expect(configKeys().map((k) => k.key)).toEqual(configRules.map((r) => r.path));
  expect(configKeys().map((k) => k.key)).toEqual(expect.arrayContaining(['wifi.password', 'button.debounceMs', 'pins.led', 'healthS', 'gateway.secret']));
});

test('get: every key with what the device uses, defaults marked, secrets never printed', async () => {
  const log = createMemoryLogger(true);
  const shown = await getConfig({ port: port() }, deps(log));
  expect(shown['wifi.ssid']).toBe('"sim-ap"');
  expect(shown['wifi.password']).toBe('(secret, set)');
  expect(shown['gateway.secret']).toBe('(secret, set)');
  expect(shown['button.longMs']).toBe('900');
  expect(log.outLines).toContain('button.debounceMs = 50  (default)');
  expect(log.outLines).toContain('mqtt.clientId = "button-7"  (default)');
  const printed = [...log.lines, ...log.outLines].join('\n');
  expect(printed).not.toContain(WIFI_PASSWORD);
  expect(printed).not.toContain(SECRET);

  const one = createMemoryLogger();
  await getConfig({ port: port(), key: 'button.longMs' }, deps(one));
  expect(one.outLines).toEqual(['900']);
}, 30000);

test('set: validated, config.bak then config.json, the rest kept, and the firmware restarted into it', async () => {
  const log = createMemoryLogger(true);
  consoleLines.length = 0;
  const r = await setConfig({ port: port(), pairs: ['button.debounceMs=80', 'healthS=5', 'wifi.password=new-pass-5678'] }, deps(log));
  expect(r.changed).toEqual(['button.debounceMs', 'healthS', 'wifi.password']);
  const c = stored();
  expect(c.button).toEqual({ longMs: 900, debounceMs: 80 });
  expect(c.healthS).toBe(5);
  expect(c.wifi).toEqual({ ssid: 'sim-ap', password: 'new-pass-5678' });
  expect(c.gateway).toEqual({ secret: SECRET });
  expect(c.thing).toBe('button-7');
  expect(sim.device.storage.read('config.bak')).toEqual(sim.device.storage.read('config.json'));
  // The program restarted with healthS 5 (it was 0, off): a health line comes within 5 s.
  for (let i = 0; i < 80 && !consoleLines.some((l) => l.includes('health up=')); i++) await new Promise((res) => setTimeout(res, 100));
  expect(consoleLines.some((l) => l.includes('health up='))).toBe(true);
  const printed = [...log.lines, ...log.outLines].join('\n');
  for (const s of [WIFI_PASSWORD, 'new-pass-5678', SECRET]) expect(printed).not.toContain(s);
  expect(printed).toMatch(/button\.debounceMs: 50 -> 80/);

  // The same values again: nothing written.
  const before = snapshot();
  const again = await setConfig({ port: port(), pairs: ['button.debounceMs=80'] }, deps());
  expect(again.changed).toEqual([]);
  expect(snapshot()).toEqual(before);
}, 30000);

test('set: a bare secret key is asked for without echo', async () => {
  await setConfig({ port: port(), pairs: ['wifi.password'] }, { ...deps(), askSecret: async () => 'asked-pass-9' });
  expect(stored().wifi.password).toBe('asked-pass-9');
}, 30000);

const bad: { name: string; pairs: string[]; anchor: string; message: RegExp; config?: string | null }[] = [
  { name: 'an unknown key', pairs: ['button.debounce=80'], anchor: 'config-key-unknown', message: /no key "button\.debounce"; did you mean button\.debounceMs/ },
  { name: 'an identity key (thing)', pairs: ['thing=other'], anchor: 'config-key-identity', message: /thing is part of the identity.*npm run provision/ },
  { name: 'an identity key (gateway.secret)', pairs: ['gateway.secret=' + 'cd'.repeat(32)], anchor: 'config-key-identity', message: /gateway\.secret is part of the identity/ },
  { name: 'a value out of range', pairs: ['button.debounceMs=900'], anchor: 'config-value-invalid', message: /button\.debounceMs must be an integer 0\.\.500 \(got 900\)\): nothing was changed/ },
  { name: 'text for a number', pairs: ['healthS=often'], anchor: 'config-value-invalid', message: /healthS must be 0 \(off\) or an integer 5\.\.3600 \(got "often"\)/ },
  { name: 'a pin the board cannot use', pairs: ['pins.led=D0'], anchor: 'config-value-invalid', message: /pins\.led may not be D0/ },
  { name: 'a pair the device refuses together', pairs: ['backoff.capMs=1000', 'backoff.baseMs=5000'], anchor: 'config-value-invalid', message: /backoff\.capMs must be >= backoff\.baseMs/ },
  { name: 'a key without a value', pairs: ['button.debounceMs'], anchor: 'config-pair-invalid', message: /has no value: write button\.debounceMs=VALUE/ },
  { name: 'a key given twice', pairs: ['healthS=10', 'healthS=20'], anchor: 'config-pair-invalid', message: /given twice/ },
  { name: 'a device with no config.json', pairs: ['healthS=10'], config: null, anchor: 'config-none', message: /has no config\.json yet: run npm run provision/ },
  { name: 'a device whose config.json is not JSON', pairs: ['healthS=10'], config: '{"thing":', anchor: 'config-none', message: /unreadable \(it is not valid JSON\)/ },
];

test.each(bad)('set refuses $name in one sentence and changes nothing on the device', async (c) => {
  if (c.config === null) sim.device.storage.erase('config.json');
  else if (c.config !== undefined) sim.device.storage.write('config.json', c.config);
  const before = snapshot();
  let err: unknown;
  try {
    await setConfig({ port: port(), pairs: c.pairs }, deps());
  } catch (e) {
    err = e;
  }
  expect(isUserError(err)).toBe(true);
  if (!isUserError(err)) return;
  expect(err.anchor).toBe(c.anchor);
  expect(err.message).toMatch(c.message);
  expect(err.message.split(/\. /)).toHaveLength(1);
  expect(snapshot()).toEqual(before);
}, 30000);

test('get of an unknown key is refused before the device is opened', async () => {
  await expect(getConfig({ port: 'tcp://127.0.0.1:1', key: 'nope' }, deps())).rejects.toMatchObject({ anchor: 'config-key-unknown' });
});
