// The zod schema (host) and the hand-written validator (device) agree: same configs accepted, same
// resulting config, same fields blamed with the same words, same unknown keys warned about.
import { parseDeviceConfig, type DeviceConfig } from '../../config/schema';
import { defaultConfig, loadConfig, type Config } from '../../firmware/core/config';

// Compile-time parity of the two config types: each must be assignable to the other.
export const deviceToFirmware = (c: DeviceConfig): Config => c;
export const firmwareToDevice = (c: Config): DeviceConfig => c;

const HOST_FIX = '; fix it in the device config and run npm run provision again';
const DEVICE_FIX = '; fix config.json with npm run provision';

interface Verdict {
  ok: boolean;
  config?: unknown;
  errors: string[];
  warnings: string[];
}

function device(raw: unknown): Verdict {
  const lines: string[] = [];
  const r = loadConfig(raw, (l) => lines.push(l), defaultConfig());
  const body = lines.map((l) => l.replace(/^config: /, ''));
  return {
    ok: r.ok,
    config: r.ok ? r.cfg : undefined,
    errors: body.filter((l) => !l.startsWith('unknown key')).map((l) => l.replace(DEVICE_FIX, '')).sort(),
    warnings: body.filter((l) => l.startsWith('unknown key')).sort(),
  };
}

function host(raw: unknown): Verdict {
  const r = parseDeviceConfig(raw);
  return r.ok
    ? { ok: true, config: r.config, errors: [], warnings: [...r.warnings].sort() }
    : { ok: false, errors: r.errors.map((l) => l.replace(HOST_FIX, '')).sort(), warnings: [...r.warnings].sort() };
}

// Values worth trying per field: the boundaries, one step past them, and wrong types.
const ints: Record<string, [number, number]> = {
  'wifi.timeoutS': [5, 300],
  'mqtt.port': [1, 65535],
  'mqtt.keepaliveS': [30, 1200],
  'button.debounceMs': [0, 500],
  'button.doubleMs': [100, 2000],
  'button.longMs': [300, 10000],
  'outbox.max': [1, 500],
  'outbox.ttlH': [1, 720],
  'backoff.baseMs': [100, 60000],
  'backoff.capMs': [1000, 3600000],
  healthS: [5, 3600],
  maintenanceS: [60, 3600],
};
const strings: Record<string, [number, number]> = {
  thing: [1, 128],
  'wifi.ssid': [1, 32],
  'wifi.password': [0, 64],
  'mqtt.host': [1, 253],
  'mqtt.username': [0, 128],
  'mqtt.password': [0, 256],
  'mqtt.clientId': [1, 128],
  'mqtt.topicPrefix': [1, 64],
  'tls.key': [1, 28],
  'tls.cert': [1, 28],
  'tls.ca': [1, 28],
  'gateway.secret': [1, 128],
};
// What JSON.parse can give: config.json is the only source on the device and the host.
const WRONG_TYPES = [null, true, '7', [], {}, 1.5, -0];
const PINS = [...Array.from({ length: 18 }, (_, i) => `D${i}`), 'D01', 'd2', 'D', 'GPIO2', 'D2 ', 'D-0', 'D1e1', 'D2.0'];

function candidates(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [p, [a, b]] of Object.entries(ints)) for (const v of [a - 1, a, a + 1, b - 1, b, b + 1, 0, 1e12, -1e12, ...WRONG_TYPES]) out.push([p, v]);
  for (const [p, [a, b]] of Object.entries(strings))
    for (const n of [a - 1, a, b, b + 1]) if (n >= 0) for (const ch of ['x', ' ', ':', 'é', '+', '/']) out.push([p, ch.repeat(n)]);
  for (const p of Object.keys(strings)) for (const v of ['ok-name_1:x', 'a/b', '/a', 'a/', '#', 'ÿ', ...WRONG_TYPES]) out.push([p, v]);
  for (const p of ['pins.button', 'pins.led']) for (const v of [...PINS, ...WRONG_TYPES]) out.push([p, v]);
  for (const p of ['pins.buttonActiveLow', 'pins.ledActiveLow', 'button.gestures']) for (const v of [true, false, 0, 1, 'true', ...WRONG_TYPES]) out.push([p, v]);
  for (const v of ['tls', 'tcp', 'TLS', 'ssl', '', ...WRONG_TYPES]) out.push(['mqtt.transport', v]);
  for (const g of ['wifi', 'mqtt', 'tls', 'pins', 'button', 'outbox', 'backoff', 'gateway']) for (const v of [...WRONG_TYPES, 'x', 5]) out.push([g, v]);
  for (const p of ['stray', 'mqtt.prot', 'pins.btn', 'mqtt.port.x']) out.push([p, 1]);
  return out;
}

function set(raw: Record<string, any>, path: string, value: unknown) {
  const v = structuredClone(value); // candidates share their {} and []: never write into them
  const [g, f] = path.split(/\.(.*)/s);
  if (f === undefined) raw[g] = v;
  else if (raw[g] === undefined) raw[g] = { [f]: v };
  else if (typeof raw[g] === 'object' && raw[g] !== null && !Array.isArray(raw[g])) raw[g][f] = v;
}

describe('firmware validator and zod schema', () => {
  test('agree on every single-field candidate', () => {
    const cases = candidates();
    expect(cases.length).toBeGreaterThan(500);
    let accepted = 0;
    for (const [path, v] of cases) {
      const raw: Record<string, unknown> = {};
      set(raw, path, v);
      const d = device(raw);
      expect([path, v, host(raw)]).toEqual([path, v, d]);
      if (d.ok) accepted++;
    }
    // Both halves of the table are exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(cases.length - accepted).toBeGreaterThan(200);
  });

  test('agree on pairs checked together', () => {
    const pairs: Record<string, unknown>[] = [
      { backoff: { baseMs: 10000, capMs: 5000 } },
      { backoff: { baseMs: 5000, capMs: 5000 } },
      { backoff: { baseMs: 70000, capMs: 5000 } },
      { backoff: { baseMs: 'x', capMs: 1000 } },
      { backoff: { baseMs: 60000 } },
      { pins: { button: 'D2' } },
      { pins: { led: 'D0' } },
      { pins: { button: 'D4', led: 'D4' } },
      { pins: { button: 'D2', led: 'D7' } },
      { pins: { button: 'D2', led: 'D5' } },
      { pins: { button: 'D7', led: 'D0' } },
      { pins: 'D2' },
    ];
    for (const raw of pairs) expect([raw, host(raw)]).toEqual([raw, device(raw)]);
  });

  test('agree on whole files that are not objects', () => {
    for (const raw of [null, 0, 'text', [], [{ thing: 'x' }], true]) expect([raw, host(raw)]).toEqual([raw, device(raw)]);
    expect(host(undefined)).toEqual(device(undefined));
  });

  test('agree on random multi-field configs', () => {
    const cases = candidates();
    let seed = 2024;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1500; i++) {
      const raw: Record<string, unknown> = {};
      const n = 1 + Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) {
        const [path, v] = cases[Math.floor(rnd() * cases.length)];
        set(raw, path, v);
      }
      // JSON round trip: the device only ever sees what JSON can carry.
      const json = JSON.parse(JSON.stringify(raw));
      expect([json, host(json)]).toEqual([json, device(json)]);
    }
  });
});
