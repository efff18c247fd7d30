// The Wifi module against the simulated access point (jswrap_esp8266_network.c semantics), SNTP,
// and Wifi.save's boot-time reconnect.
import { fixture, makeDevice, sleep, waitFor, type TestDevice } from './helpers';

let t: TestDevice;
const timing = { connectMs: 10, dhcpMs: 10, retryMs: 50, beaconLossMs: 10, firstPollMs: 20, pollMs: 100, latencyMs: 5 };
beforeEach(() => {
  t = makeDevice({ wifi: { ssid: 'home', password: 'secret' }, timing });
});
afterEach(async () => {
  await t.device.close();
});

const log = (): string[] => t.device.evaluate('LOG') as string[];
const join = (ssid: string, pass: string): void => {
  t.device.evaluate(`var SSID = ${JSON.stringify(ssid)}, PASS = ${JSON.stringify(pass)};`);
  t.device.evaluate(fixture('wifi-connect.js'));
};

test('a good password associates, gets an IP and calls back with null', async () => {
  t.device.boot();
  join('home', 'secret');
  await waitFor(() => log().includes('cb null'), 'connect callback');
  expect(log()).toEqual(['associated', 'cb null', 'connected 192.168.1.50']);
  expect(t.device.evaluate('require("Wifi").getIP().ip')).toBe('192.168.1.50');
  expect(t.device.evaluate('require("Wifi").getStatus().station')).toBe('connected');
  expect(t.device.evaluate('require("Wifi").getDetails().ssid')).toBe('home');
});

test('a wrong password calls back "bad_password" once, then retries silently', async () => {
  t.device.boot();
  join('home', 'wrong');
  await waitFor(() => log().filter((l) => l.startsWith('disconnected')).length >= 3, 'retries');
  expect(log().filter((l) => l.startsWith('cb'))).toEqual(['cb bad_password']);
  expect(log()).toContain('disconnected 4way_handshake_timeout');
  expect(t.device.evaluate('require("Wifi").getStatus().station')).toBe('bad_password');
});

test('an absent access point calls back "no_ap_found" and is joined once it appears', async () => {
  t.device.wifiDown();
  t.device.boot();
  join('home', 'secret');
  await waitFor(() => log().includes('cb no_ap_found'), 'no_ap_found');
  t.device.wifiUp();
  await waitFor(() => log().some((l) => l.startsWith('connected')), 'late connection');
  expect(log().filter((l) => l.startsWith('cb'))).toEqual(['cb no_ap_found']);
});

test('the AP going down and back gives disconnected, then connected again', async () => {
  t.device.boot();
  join('home', 'secret');
  await waitFor(() => log().includes('connected 192.168.1.50'), 'first connection');
  t.device.wifiDown();
  await waitFor(() => log().includes('disconnected beacon_timeout'), 'loss noticed');
  expect(t.device.evaluate('require("Wifi").getIP().ip')).toBe('0.0.0.0');
  t.device.wifiUp();
  await waitFor(() => log().filter((l) => l.startsWith('connected')).length === 2, 'reconnection');
});

test('no DHCP answer gives dhcp_timeout', async () => {
  t.device.wifiDhcp(false);
  t.device.boot();
  t.device.evaluate('var DH = 0; require("Wifi").on("dhcp_timeout", function (d) { DH++; });');
  join('home', 'secret');
  await waitFor(() => (t.device.evaluate('DH') as number) >= 1, 'dhcp_timeout');
});

test('Wifi.save writes .wificfg in plain text and the board reconnects after the boot code', async () => {
  t.device.boot();
  join('home', 'secret');
  await waitFor(() => log().includes('cb null'), 'connection');
  t.device.evaluate('require("Wifi").save()');
  const cfg = JSON.parse(t.device.storage.read('.wificfg')!.toString());
  expect(cfg).toMatchObject({ ssid: 'home', password: 'secret', mode: 1 });
  t.device.storage.write('.bootcde', 'var LOG = []; print("boot code ran, status " + require("Wifi").getStatus().station); require("Wifi").on("connected", function () { LOG.push("auto"); });');
  t.device.reboot();
  expect(t.output()).toContain('boot code ran, status off');
  await waitFor(() => log().includes('auto'), 'auto reconnect');
  t.device.evaluate('require("Wifi").save("clear")');
  expect(t.device.storage.read('.wificfg')).toBeUndefined();
});

test('reset() keeps the Wi-Fi connection, as on the ESP8266', async () => {
  t.device.boot();
  join('home', 'secret');
  await waitFor(() => log().includes('cb null'), 'connection');
  t.device.evaluate('reset()');
  expect(t.device.evaluate('typeof LOG')).toBe('undefined');
  expect(t.device.evaluate('require("Wifi").getStatus().station')).toBe('connected');
});

test('SNTP jumps getTime() and Date to whole epoch seconds once the station is online', async () => {
  t.device.boot();
  expect(t.device.evaluate('new Date().getUTCFullYear()')).toBe(1970);
  expect(() => t.device.evaluate('require("Wifi").setSNTP("pool.ntp.org", 20)')).toThrow('Zone must be in range -11..13');
  expect(() => t.device.evaluate('require("Wifi").setSNTP("pool.ntp.org", "x")')).toThrow('Zone is not a number');
  t.device.evaluate('require("Wifi").setSNTP("pool.ntp.org", 0)');
  await sleep(60);
  expect(t.device.evaluate('getTime()')).toBeLessThan(1e6); // no network yet: no time
  join('home', 'secret');
  await waitFor(() => (t.device.evaluate('getTime()') as number) > 1e9, 'SNTP time');
  const [now, year] = t.device.evaluate('[getTime(), new Date().getUTCFullYear()]') as number[];
  expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(2);
  expect(year).toBe(new Date().getUTCFullYear());
});
