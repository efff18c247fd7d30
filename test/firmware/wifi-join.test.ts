// The firmware's Wi-Fi glue on the virtual NodeMCU, with the real bundle: the SSID and password are
// read from the config file boot read on every attempt (firmware/MEMORY.md: not kept in RAM), so a
// wrong password is named with its SSID, config.bak serves when config.json is torn, and a config
// without an SSID joins the network saved by Wifi.save().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmware } from '../../tools/build/build-firmware';
import { makeDevice, waitFor, type TestDevice } from '../simulator/helpers';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;
let bundle: Buffer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wifi-join-'));
  const out = path.join(dir, 'firmware.js');
  await buildFirmware({ cwd: ROOT, outFile: out, log: () => {}, budgetBytes: 1 << 20 });
  bundle = fs.readFileSync(out);
}, 60000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let t: TestDevice | undefined;
afterEach(async () => {
  await t?.device.close();
  t = undefined;
});

/** A board near the access point "home" (password "pw"), flashed, with these Storage files. */
function board(files: Record<string, string>): TestDevice {
  t = makeDevice({ wifi: { ssid: 'home', password: 'pw' } });
  t.device.storage.write('.bootcde', bundle);
  for (const [name, text] of Object.entries(files)) t.device.storage.write(name, text);
  t.device.boot();
  return t;
}

// Port 9 on localhost refuses: these tests are about Wi-Fi, not MQTT.
const config = (wifi: Record<string, unknown>) => JSON.stringify({ thing: 'porch', wifi, mqtt: { host: '127.0.0.1', port: 9, transport: 'tcp' }, healthS: 0 });

test('a wrong password is named with the SSID read from flash, and the device stays up', async () => {
  const b = board({ 'config.json': config({ ssid: 'home', password: 'nope' }) });
  await waitFor(() => /wifi: wrong password for "home" \(fix with npm run provision -- --wifi-password\)/.test(b.output()), 'the wrong-password line');
  expect(b.device.evaluate('2+2')).toBe(4);
});

test('with config.json torn, the credentials come from config.bak on every attempt', async () => {
  const b = board({ 'config.json': '{"thing":"por', 'config.bak': config({ ssid: 'home', password: 'pw' }) });
  await waitFor(() => /wifi: connecting to "home"/.test(b.output()), 'the attempt');
  await waitFor(() => /wifi: connected, ip /.test(b.output()), 'the connection');
});

test('without an SSID in the config, the network saved by Wifi.save() is joined', async () => {
  const b = board({ 'config.json': config({}), '.wificfg': JSON.stringify({ ssid: 'home', password: 'pw' }) });
  await waitFor(() => /wifi: joining the saved network/.test(b.output()), 'the saved network');
});
