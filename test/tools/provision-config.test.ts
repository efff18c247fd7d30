// What provision decides on the host: the config it writes (new identity, old settings kept, flags
// winning), the addresses it accepts, the Storage names it uses and the files it erases; and the
// provisioning benchmark's wire efficiency (bytes, not time).
import { buildConfig, parseOldConfig, serializeConfig } from '../../tools/provision/device-config';
import { endpointWarning, parseEndpoint, parseGateway } from '../../tools/provision/address';
import { derName, filesToErase, namedByConfig } from '../../tools/provision/storage-plan';
import { benchProvision } from '../../tools/bench/provision-bench';
import { isUserError } from '../../tools/shared/errors';

const old = {
  thing: 'old-thing',
  wifi: { ssid: 'home', password: 'old-pass', timeoutS: 30 },
  mqtt: { host: 'old-ats.iot.eu-west-1.amazonaws.com', port: 8883, transport: 'tls', keepaliveS: 120, topicPrefix: 'shop', clientId: 'x' },
  tls: { key: 'key-00000001.der', cert: 'cert-00000001.der', ca: 'ca-00000001.der' },
  pins: { led: 'D4', ledActiveLow: false },
  button: { longMs: 2000 },
  healthS: 60,
  maintenanceS: 120,
};

test('a new identity replaces the old one while the settings the device had are kept', () => {
  const c = buildConfig({ thing: 'new-thing', mode: 'gateway', mqtt: { host: '192.168.1.10', port: 1883 }, secret: 'f'.repeat(64), settings: {}, old });
  expect(c).toEqual({
    thing: 'new-thing',
    wifi: { ssid: 'home', password: 'old-pass', timeoutS: 30 },
    mqtt: { host: '192.168.1.10', port: 1883, transport: 'tcp', keepaliveS: 120, topicPrefix: 'shop' },
    pins: { led: 'D4', ledActiveLow: false },
    button: { longMs: 2000 },
    healthS: 60,
    gateway: { secret: 'f'.repeat(64) },
    maintenanceS: 120,
  });
});

test('flags win over the old settings, and a new Wi-Fi network brings its own password', () => {
  const c = buildConfig({
    thing: 't',
    mode: 'direct',
    mqtt: { host: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883 },
    tls: { key: 'k.der', cert: 'c.der', ca: 'a.der' },
    wifi: { ssid: 'office', password: '' },
    settings: { pins: { led: 'D5' }, button: { doubleMs: 300 }, keepaliveS: 60, healthS: 0, topicPrefix: 'lab', maintenanceS: 0 },
    old,
  });
  expect(c.wifi).toEqual({ ssid: 'office', password: '', timeoutS: 30 });
  expect(c.pins).toEqual({ led: 'D5', ledActiveLow: false });
  expect(c.button).toEqual({ longMs: 2000, doubleMs: 300 });
  expect(c.mqtt).toEqual({ host: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883, transport: 'tls', keepaliveS: 60, topicPrefix: 'lab' });
  expect(c.healthS).toBe(0);
  expect(c.maintenanceS).toBe(0);
  expect(c.tls).toEqual({ key: 'k.der', cert: 'c.der', ca: 'a.der' });
  expect(c.gateway).toBeUndefined();
  expect(JSON.parse(serializeConfig(c).text)).toEqual(c);
});

test('a config the device would reject is refused with every bad field named', () => {
  const c = buildConfig({ thing: 't', mode: 'gateway', mqtt: { host: 'gw', port: 1883 }, secret: 's', settings: { pins: { button: 'D7' }, keepaliveS: 10 }, old: undefined });
  try {
    serializeConfig(c);
    throw new Error('accepted');
  } catch (e) {
    expect(isUserError(e) && e.anchor).toBe('config-invalid');
    expect((e as Error).message).toMatch(/pins\.button may not be D6\.\.D11/);
    expect((e as Error).message).toMatch(/mqtt\.keepaliveS must be an integer 30\.\.1200 \(got 10\)/);
    expect((e as Error).message).not.toMatch(/fix it in the device config/);
  }
  expect(parseOldConfig('{thing:1}').problem).toBe('it is not valid JSON');
  expect(parseOldConfig('[1]').problem).toBe('it does not hold a JSON object');
  expect(parseOldConfig('').config).toBeUndefined();
});

test.each([
  ['abc123-ats.iot.eu-west-1.amazonaws.com', { host: 'abc123-ats.iot.eu-west-1.amazonaws.com' }],
  ['abc123-ats.iot.eu-west-1.amazonaws.com:443', { host: 'abc123-ats.iot.eu-west-1.amazonaws.com', port: 443 }],
  [' 127.0.0.1:8883 ', { host: '127.0.0.1', port: 8883 }],
  ['localhost', { host: 'localhost' }],
])('the endpoint %j is accepted', (spec, want) => {
  expect(parseEndpoint(spec)).toEqual(want);
});

test.each([
  ['https://abc-ats.iot.eu-west-1.amazonaws.com', /scheme/],
  ['abc-ats.iot.eu-west-1.amazonaws.com/mqtt', /path/],
  ['', /empty/],
  ['abc_ats.iot.amazonaws.com', /host name holds only/],
  ['-abc.example.com', /host name holds only/],
  ['300.1.1.1', /IPv4/],
  ['host:0', /port must be/],
  ['host:1:2', /more than one colon/],
])('the endpoint %j is refused: %s', (spec, why) => {
  expect(() => parseEndpoint(spec)).toThrow(why);
});

test('the gateway address defaults to port 1883, and legacy AWS endpoints get a warning', () => {
  expect(parseGateway('192.168.1.10')).toEqual({ host: '192.168.1.10', port: 1883 });
  expect(parseGateway('gw.lan:1884')).toEqual({ host: 'gw.lan', port: 1884 });
  expect(() => parseGateway('tcp://gw')).toThrow(/--gateway/);
  expect(endpointWarning('abc123.iot.eu-west-1.amazonaws.com')).toMatch(/legacy/);
  expect(endpointWarning('abc123-ats.iot.eu-west-1.amazonaws.com')).toBeUndefined();
});

test('DER files get content-addressed names; only the old config\'s files and our leftovers are erased', () => {
  const a = derName('key', Buffer.from('one'));
  expect(a).toMatch(/^key-[0-9a-f]{8}\.der$/);
  expect(derName('key', Buffer.from('one'))).toBe(a);
  expect(derName('key', Buffer.from('two'))).not.toBe(a);
  expect(a.length).toBeLessThanOrEqual(28);
  const existing = ['key.der', 'cert.der', 'ca.der', 'key-00000001.der', 'cert-12345678.der', 'mine.der', a];
  expect(filesToErase(existing, [a], namedByConfig(undefined, true))).toEqual(['key.der', 'cert.der', 'ca.der', 'key-00000001.der', 'cert-12345678.der']);
  expect(filesToErase(existing, [a], namedByConfig({ tls: { key: 'mine.der' } }, false))).toEqual(['cert.der', 'ca.der', 'key-00000001.der', 'cert-12345678.der', 'mine.der']);
  // An unreadable old config names nothing: only our own leftovers go.
  expect(filesToErase(existing, [a], namedByConfig(undefined, false))).toEqual(['key-00000001.der', 'cert-12345678.der']);
});

test('the provisioning benchmark sends at most 1.5 bytes per byte stored', async () => {
  const r = await benchProvision();
  expect(r.provisionStoredBytes).toBeGreaterThan(3000);
  expect(r.provisionWireBytes / r.provisionStoredBytes).toBeLessThanOrEqual(1.5);
  expect(r.provisionSecondsAt115200).toBeGreaterThan(0);
}, 30000);
