// The device's config loader: defaults, partial overrides, one named log line per bad field, no throws.
import { CONFIG_UNPARSEABLE, defaultConfig, loadConfig, type Config } from '../../firmware/core/config';
import { configDefaults } from '../../config/rules';

const defaultsJson = configDefaults();

const FIX = '; fix config.json with npm run provision';

function load(raw: unknown) {
  const lines: string[] = [];
  const r = loadConfig(raw, (l) => lines.push(l), defaultConfig());
  return { ...r, lines };
}

/** The full config the device runs with when config.json is absent. */
function expected(): Config {
  const c = defaultConfig();
  c.mqtt.clientId = c.thing;
  return c;
}

/** { a: { b: v } } from 'a.b' and v. */
function at(path: string, v: unknown): Record<string, unknown> {
  const p = path.split('.');
  return p.length === 1 ? { [p[0]]: v } : { [p[0]]: { [p[1]]: v } };
}

describe('defaults', () => {
  test('no config.json gives the compiled defaults, ok, and no log lines', () => {
    const r = load(undefined);
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual([]);
    expect(r.cfg).toEqual(expected());
  });

  test('an empty object and the defaults file itself are both valid', () => {
    for (const raw of [{}, defaultsJson]) {
      const r = load(JSON.parse(JSON.stringify(raw)));
      expect(r).toMatchObject({ ok: true, lines: [] });
      expect(r.cfg).toEqual(expected());
    }
  });

  test('the client id defaults to the thing name; an explicit one is kept', () => {
    expect(load({ thing: 'kitchen-1' }).cfg.mqtt.clientId).toBe('kitchen-1');
    expect(load({ thing: 'kitchen-1', mqtt: { clientId: 'other' } }).cfg.mqtt.clientId).toBe('other');
  });

  test('without `into`, every call builds a fresh config that nothing keeps (no RAM held after boot)', () => {
    const a = loadConfig({ mqtt: { port: 1883 } }, () => {});
    const b = loadConfig(undefined, () => {});
    expect(a.cfg).not.toBe(b.cfg);
    expect(a.cfg.mqtt.port).toBe(1883);
    expect(b.cfg.mqtt.port).toBe(8883);
  });

  test('the defaults the device reads from the rule table are exactly config/rules.ts defaults', () => {
    expect(defaultConfig()).toEqual(defaultsJson);
  });
});

describe('partial overrides', () => {
  test('given fields replace the defaults, the rest stay', () => {
    const r = load({ thing: 'porch', mqtt: { host: 'gw.lan', transport: 'tcp', port: 1883 }, button: { gestures: false }, healthS: 0 });
    expect(r).toMatchObject({ ok: true, lines: [] });
    const want = expected();
    want.thing = 'porch';
    want.mqtt = { ...want.mqtt, host: 'gw.lan', transport: 'tcp', port: 1883, clientId: 'porch' };
    want.button.gestures = false;
    want.healthS = 0;
    expect(r.cfg).toEqual(want);
  });

  test('optional fields appear only when given', () => {
    const r = load({ wifi: { ssid: 'home', password: 'secret-pw' }, mqtt: { username: 'u', password: '' }, gateway: { secret: 'k' } });
    expect(r.ok).toBe(true);
    expect(r.cfg.wifi).toEqual({ ssid: 'home', password: 'secret-pw', timeoutS: 20 });
    expect(r.cfg.mqtt.username).toBe('u');
    expect(r.cfg.mqtt.password).toBe('');
    expect(r.cfg.gateway).toEqual({ secret: 'k' });
    expect(load({}).cfg.wifi.ssid).toBeUndefined();
  });

  test('every range boundary is accepted', () => {
    const ok: [string, unknown][] = [
      ['wifi.timeoutS', 5], ['wifi.timeoutS', 300], ['mqtt.port', 1], ['mqtt.port', 65535],
      ['mqtt.keepaliveS', 30], ['mqtt.keepaliveS', 1200], ['button.debounceMs', 0], ['button.debounceMs', 500],
      ['button.doubleMs', 100], ['button.doubleMs', 2000], ['button.longMs', 300], ['button.longMs', 10000],
      ['outbox.max', 1], ['outbox.max', 500], ['outbox.ttlH', 1], ['outbox.ttlH', 720],
      ['backoff.baseMs', 100], ['backoff.capMs', 3600000], ['healthS', 0], ['healthS', 5], ['healthS', 3600],
      ['maintenanceS', 0], ['maintenanceS', 60], ['maintenanceS', 3600],
      ['thing', 'a'], ['thing', 'A:b_c-9'.padEnd(128, 'x')], ['wifi.ssid', 'x'.repeat(32)], ['wifi.password', ''],
      ['tls.key', 'k'.repeat(28)], ['mqtt.topicPrefix', 'acme/devices'], ['pins.button', 'D4'], ['pins.led', 'D16'],
      ['pins.button', 'D15'], ['pins.led', 'D5'],
    ];
    for (const [path, v] of ok) expect([path, load(at(path, v)).lines]).toEqual([path, []]);
  });
});

describe('bad fields', () => {
  // [path, bad value, what the line must say]
  const bad: [string, unknown, string][] = [
    ['thing', 5, 'must be 1..128 characters of A-Z a-z 0-9 : _ -'],
    ['thing', '', 'must be 1..128 characters of A-Z a-z 0-9 : _ -'],
    ['thing', 'x'.repeat(129), 'must be 1..128 characters of A-Z a-z 0-9 : _ -'],
    ['thing', 'my button', 'must be 1..128 characters of A-Z a-z 0-9 : _ -'],
    ['thing', 'knöpf', 'must be 1..128 characters of A-Z a-z 0-9 : _ -'],
    ['wifi.ssid', 1, 'must be a string of 1..32 characters'],
    ['wifi.ssid', '', 'must be a string of 1..32 characters'],
    ['wifi.ssid', 'x'.repeat(33), 'must be a string of 1..32 characters'],
    ['wifi.password', 12345678, 'must be a string of 0..64 characters'],
    ['wifi.timeoutS', '20', 'must be an integer 5..300'],
    ['wifi.timeoutS', 4, 'must be an integer 5..300'],
    ['wifi.timeoutS', 20.5, 'must be an integer 5..300'],
    ['mqtt.host', '', 'must be a string of 1..253 characters'],
    ['mqtt.host', 5, 'must be a string of 1..253 characters'],
    ['mqtt.port', 'abc', 'must be an integer 1..65535'],
    ['mqtt.port', 0, 'must be an integer 1..65535'],
    ['mqtt.port', 65536, 'must be an integer 1..65535'],
    ['mqtt.port', 1.5, 'must be an integer 1..65535'],
    ['mqtt.port', null, 'must be an integer 1..65535'],
    ['mqtt.port', true, 'must be an integer 1..65535'],
    ['mqtt.transport', 'ssl', 'must be "tls" or "tcp"'],
    ['mqtt.transport', 1, 'must be "tls" or "tcp"'],
    ['mqtt.keepaliveS', 29, 'must be an integer 30..1200'],
    ['mqtt.keepaliveS', 1201, 'must be an integer 30..1200'],
    ['mqtt.username', 5, 'must be a string of 0..128 characters'],
    ['mqtt.password', 5, 'must be a string of 0..256 characters'],
    ['mqtt.clientId', '', 'must be a string of 1..128 characters'],
    ['mqtt.clientId', ['a'], 'must be a string of 1..128 characters'],
    ['mqtt.topicPrefix', '', 'must be 1..64 characters with no + or # and no / at either end'],
    ['mqtt.topicPrefix', 'a/+', 'must be 1..64 characters with no + or # and no / at either end'],
    ['mqtt.topicPrefix', 'a#', 'must be 1..64 characters with no + or # and no / at either end'],
    ['mqtt.topicPrefix', '/a', 'must be 1..64 characters with no + or # and no / at either end'],
    ['mqtt.topicPrefix', 'a/', 'must be 1..64 characters with no + or # and no / at either end'],
    ['tls.key', 'k'.repeat(29), 'must be a string of 1..28 characters'],
    ['tls.cert', '', 'must be a string of 1..28 characters'],
    ['tls.ca', null, 'must be a string of 1..28 characters'],
    ['pins.button', 'D6', 'may not be D6..D11 (flash chip pins)'],
    ['pins.button', 'D11', 'may not be D6..D11 (flash chip pins)'],
    ['pins.led', 'D9', 'may not be D6..D11 (flash chip pins)'],
    ['pins.button', 'D16', 'may not be D16 (it cannot be watched)'],
    ['pins.led', 'D0', 'may not be D0 (the FLASH button)'],
    ['pins.button', 'D17', 'must be a pin name D0..D16'],
    ['pins.button', 'GPIO0', 'must be a pin name D0..D16'],
    ['pins.button', 'd0', 'must be a pin name D0..D16'],
    ['pins.button', 'D01', 'must be a pin name D0..D16'],
    ['pins.button', 'D', 'must be a pin name D0..D16'],
    ['pins.led', 2, 'must be a pin name D0..D16'],
    ['pins.buttonActiveLow', 'true', 'must be true or false'],
    ['pins.ledActiveLow', 0, 'must be true or false'],
    ['button.debounceMs', -1, 'must be an integer 0..500'],
    ['button.debounceMs', 501, 'must be an integer 0..500'],
    ['button.doubleMs', 99, 'must be an integer 100..2000'],
    ['button.doubleMs', 2001, 'must be an integer 100..2000'],
    ['button.longMs', 299, 'must be an integer 300..10000'],
    ['button.longMs', 10001, 'must be an integer 300..10000'],
    ['button.gestures', 'yes', 'must be true or false'],
    ['outbox.max', 0, 'must be an integer 1..500'],
    ['outbox.max', 501, 'must be an integer 1..500'],
    ['outbox.ttlH', 0, 'must be an integer 1..720'],
    ['outbox.ttlH', 721, 'must be an integer 1..720'],
    ['backoff.baseMs', 99, 'must be an integer 100..60000'],
    ['backoff.baseMs', 60001, 'must be an integer 100..60000'],
    ['backoff.capMs', 999, 'must be an integer 1000..3600000'],
    ['backoff.capMs', 3600001, 'must be an integer 1000..3600000'],
    ['healthS', 4, 'must be 0 (off) or an integer 5..3600'],
    ['healthS', 3601, 'must be 0 (off) or an integer 5..3600'],
    ['healthS', -1, 'must be 0 (off) or an integer 5..3600'],
    ['healthS', '30', 'must be 0 (off) or an integer 5..3600'],
    ['maintenanceS', 59, 'must be 0 (off) or an integer 60..3600'],
    ['maintenanceS', 3601, 'must be 0 (off) or an integer 60..3600'],
    ['maintenanceS', 1.5, 'must be 0 (off) or an integer 60..3600'],
    ['maintenanceS', true, 'must be 0 (off) or an integer 60..3600'],
    ['gateway.secret', '', 'must be a string of 1..128 characters'],
    ['gateway.secret', 5, 'must be a string of 1..128 characters'],
  ];

  test.each(bad)('%s = %j gets one line naming it, keeps its default, and makes ok false', (path, v, reason) => {
    const r = load(at(path, v));
    expect(r.ok).toBe(false);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].startsWith(`config: ${path} ${reason} (got `)).toBe(true);
    expect(r.lines[0].endsWith(`)${FIX}`)).toBe(true);
    expect(r.cfg).toEqual(expected());
  });

  test('the line reads as documented', () => {
    expect(load({ mqtt: { port: 'abc' } }).lines).toEqual(['config: mqtt.port must be an integer 1..65535 (got "abc")' + FIX]);
  });

  test('good fields next to a bad one are still applied', () => {
    const r = load({ mqtt: { port: 'abc', host: 'broker.lan' }, outbox: { max: 9 } });
    expect(r.ok).toBe(false);
    expect(r.cfg.mqtt.host).toBe('broker.lan');
    expect(r.cfg.mqtt.port).toBe(8883);
    expect(r.cfg.outbox.max).toBe(9);
  });

  test('several bad fields give one line each', () => {
    const r = load({ thing: '', mqtt: { port: 0, keepaliveS: 5 }, healthS: 2 });
    expect(r.lines.map((l) => l.split(' ')[1])).toEqual(['thing', 'mqtt.port', 'mqtt.keepaliveS', 'healthS']);
  });

  test('a group that is not an object is named, and its fields keep their defaults', () => {
    for (const v of [5, 'x', null, [], [1, 2], true]) {
      const r = load({ mqtt: v });
      expect(r.ok).toBe(false);
      expect(r.lines).toEqual([`config: mqtt must be an object (got ${JSON.stringify(v)})${FIX}`]);
      expect(r.cfg).toEqual(expected());
    }
  });

  test('a backoff cap below the base is an error (the device then stays offline, so the values stay)', () => {
    const r = load({ backoff: { baseMs: 10000, capMs: 5000 } });
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual(['config: backoff.capMs must be >= backoff.baseMs (got 5000 < 10000)' + FIX]);
  });

  test('the button and the LED on one pin resets both pins', () => {
    const r = load({ pins: { button: 'D2' } });
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual(['config: pins.button and pins.led must differ (both D2)' + FIX]);
    expect(r.cfg.pins).toEqual(expected().pins);
  });

  test('secrets are described by length or type, never printed', () => {
    const long = 'hunter2-'.repeat(9);
    const lines = [
      ...load({ wifi: { password: long } }).lines,
      ...load({ mqtt: { password: 5 } }).lines,
      ...load({ gateway: { secret: '' } }).lines,
    ];
    expect(lines[0]).toContain('(got 72 characters)');
    expect(lines[1]).toContain('(got number)');
    expect(lines[2]).toContain('(got 0 characters)');
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  test('a long bad value is cut short in the log line', () => {
    const line = load({ mqtt: { host: 'h'.repeat(300) } }).lines[0];
    expect(line).toContain('(got "' + 'h'.repeat(39) + '...)');
  });
});

describe('unknown keys', () => {
  test('each gets one warning and is ignored; ok stays true', () => {
    const r = load({ colour: 'red', mqtt: { prot: 1883, port: 1883 }, 'mqtt.port': 1, 'wifi.ssid x': 1, pins: { 'button ': 'D4' } });
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual([
      'config: unknown key colour ignored (check its spelling)',
      'config: unknown key mqtt.prot ignored (check its spelling)',
      'config: unknown key mqtt.port ignored (check its spelling)',
      'config: unknown key wifi.ssid x ignored (check its spelling)',
      'config: unknown key pins.button  ignored (check its spelling)',
    ]);
    const want = expected();
    want.mqtt.port = 1883;
    expect(r.cfg).toEqual(want);
  });
});

describe('garbage never throws', () => {
  test('a file that did not parse gives one line and the defaults', () => {
    const r = load(CONFIG_UNPARSEABLE);
    expect(r).toMatchObject({ ok: false, lines: ['config: config.json is not valid JSON' + FIX] });
    expect(r.cfg).toEqual(expected());
  });

  // Only what JSON.parse can give: config.json is the only source (no NaN, functions, cycles...).
  test('a file that holds something other than an object gives one line and the defaults', () => {
    for (const raw of [null, 42, true, 'text', '', [], [1, 2], -0.5, [{}]]) {
      const r = load(raw);
      expect(r.ok).toBe(false);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0].startsWith('config: config.json must hold a JSON object (got ')).toBe(true);
      expect(r.cfg).toEqual(expected());
    }
  });

  test('random values in every field never throw and keep a complete config', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const junk = (): unknown => {
      const pick = Math.floor(rnd() * 12);
      return [null, -1, 0, 1e9, 0.5, '', 'D3', 'tls', true, [], {}, 'x'.repeat(Math.floor(rnd() * 300))][pick];
    };
    const paths = Object.entries(defaultsJson).flatMap(([k, v]) => (typeof v === 'object' ? [k, ...Object.keys(v).map((f) => `${k}.${f}`), `${k}.extra`] : [k]));
    paths.push('wifi.ssid', 'mqtt.clientId', 'gateway.secret', 'stray');
    for (let i = 0; i < 2000; i++) {
      const raw: Record<string, any> = {};
      for (const p of paths) {
        if (rnd() < 0.5) continue;
        const [g, f] = p.split('.');
        if (!f) raw[g] = junk();
        else if (typeof raw[g] === 'object' && raw[g] !== null && !Array.isArray(raw[g])) raw[g][f] = junk();
        else if (raw[g] === undefined) raw[g] = { [f]: junk() };
      }
      const r = load(raw);
      expect(typeof r.ok).toBe('boolean');
      expect(r.lines.every((l) => l.startsWith('config: '))).toBe(true);
      expect(Object.keys(r.cfg).sort()).toEqual(Object.keys(expected()).sort());
      expect(Number.isInteger(r.cfg.mqtt.port) && r.cfg.mqtt.port >= 1).toBe(true);
      expect(r.cfg.backoff.capMs).toBeGreaterThanOrEqual(r.cfg.backoff.baseMs);
      expect(r.cfg.pins.led).not.toBe(r.cfg.pins.button);
    }
  });
});
