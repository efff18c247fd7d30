// The host-side config schema: defaults fill a partial config.json; each bad field is one actionable sentence.
import { configSchema, parseDeviceConfig, type DeviceConfig, type DeviceConfigInput } from '../../config/schema';
import { configDefaults } from '../../config/rules';

const defaults = configDefaults();

const FIX = '; fix it in the device config and run npm run provision again';

function errors(raw: unknown): string[] {
  const r = parseDeviceConfig(raw);
  if (r.ok) throw new Error('expected errors, got a valid config');
  return r.errors;
}

describe('parseDeviceConfig', () => {
  test('no file and an empty file both give the defaults, with the client id set to the thing', () => {
    for (const raw of [undefined, {}]) {
      const r = parseDeviceConfig(raw);
      expect(r).toEqual({ ok: true, warnings: [], config: { ...defaults, mqtt: { ...defaults.mqtt, clientId: defaults.thing } } });
    }
  });

  test('the defaults file is itself a valid config.json', () => {
    expect(configSchema.safeParse(defaults).success).toBe(true);
  });

  test('a partial config keeps the other defaults', () => {
    const input: DeviceConfigInput = { thing: 'porch', mqtt: { transport: 'tcp', port: 1883 }, button: { gestures: false } };
    const r = parseDeviceConfig(input);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const c: DeviceConfig = r.config;
    expect(c.mqtt).toEqual({ ...defaults.mqtt, transport: 'tcp', port: 1883, clientId: 'porch' });
    expect(c.button).toEqual({ ...defaults.button, gestures: false });
    expect(c.pins).toEqual(defaults.pins);
  });

  test('an error is one sentence naming the field, the rule, the value and the fix', () => {
    expect(errors({ mqtt: { port: 'abc' } })).toEqual([`mqtt.port must be an integer 1..65535 (got "abc")${FIX}`]);
  });

  test('a value failing several checks of one field still gives one sentence', () => {
    expect(errors({ mqtt: { port: 0.5 } })).toEqual([`mqtt.port must be an integer 1..65535 (got 0.5)${FIX}`]);
    expect(errors({ thing: 'bad name'.repeat(20) })).toHaveLength(1);
  });

  test('each bad field gets its own sentence', () => {
    const e = errors({ thing: '', mqtt: { port: 0, keepaliveS: 5 }, pins: { button: 'D16' }, healthS: 2 });
    expect(e.map((l) => l.split(' ')[0])).toEqual(['thing', 'mqtt.port', 'mqtt.keepaliveS', 'pins.button', 'healthS']);
    expect(e.every((l) => l.endsWith(FIX))).toBe(true);
  });

  test('pin rules explain why a pin is refused', () => {
    expect(errors({ pins: { button: 'D7' } })[0]).toContain('pins.button may not be D6..D11 (flash chip pins) (got "D7")');
    expect(errors({ pins: { button: 'D16' } })[0]).toContain('pins.button may not be D16 (it cannot be watched)');
    expect(errors({ pins: { led: 'D0', button: 'D4' } })[0]).toContain('pins.led may not be D0 (the FLASH button)');
    expect(errors({ pins: { led: 'D01' } })[0]).toContain('pins.led must be a pin name D0..D16');
  });

  test('pairs that are wrong together are reported', () => {
    expect(errors({ backoff: { baseMs: 10000, capMs: 5000 } })).toEqual([`backoff.capMs must be >= backoff.baseMs (got 5000 < 10000)${FIX}`]);
    expect(errors({ pins: { button: 'D2' } })).toEqual([`pins.button and pins.led must differ (both D2)${FIX}`]);
  });

  test('something other than an object is refused as a whole', () => {
    for (const raw of [null, 'x', 3, [], [{}]]) expect(errors(raw)).toEqual([`config.json must hold a JSON object (got ${JSON.stringify(raw)})${FIX}`]);
  });

  test('a group that is not an object is named', () => {
    expect(errors({ wifi: 'home' })).toEqual([`wifi must be an object (got "home")${FIX}`]);
  });

  test('unknown keys are warnings, not errors, and are dropped from the config', () => {
    const r = parseDeviceConfig({ colour: 'red', mqtt: { prot: 1 }, gateway: { secrt: 'x' } });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      'unknown key colour ignored (check its spelling)',
      'unknown key mqtt.prot ignored (check its spelling)',
      'unknown key gateway.secrt ignored (check its spelling)',
    ]);
    if (r.ok) expect(r.config).not.toHaveProperty('colour');
  });

  test('secrets never appear in errors', () => {
    const e = [...errors({ wifi: { password: 'hunter2'.repeat(10) } }), ...errors({ mqtt: { password: 7 } }), ...errors({ gateway: { secret: '' } })];
    expect(e[0]).toContain('(got 70 characters)');
    expect(e[1]).toContain('(got number)');
    expect(e[2]).toContain('(got 0 characters)');
    expect(e.join()).not.toContain('hunter2');
  });

  test('the input is not modified', () => {
    const raw = { mqtt: { port: 1883 } };
    parseDeviceConfig(raw);
    expect(raw).toEqual({ mqtt: { port: 1883 } });
  });
});
