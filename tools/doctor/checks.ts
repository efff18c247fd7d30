// doctor's judgement: each check turns what the board reported into ok / warn / fail / skip with
// one line of detail and, when not ok, the command or action that fixes it. Pure: no device, no I/O
// besides the board-description lookup passed in.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { parseDeviceConfig, type DeviceConfig } from '../../config/schema';
import { isOlderThanTested, spaceFor, TESTED_VERSION } from '../device/device-probe';
import type { DeviceReport } from './gather';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: Status;
  detail: string;
  fix?: string;
}

const PROVISION = 'npm run provision -- --thing <name>';

function parseConfig(text: string): { config?: DeviceConfig; errors?: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { errors: ['it is not valid JSON'] };
  }
  const r = parseDeviceConfig(raw);
  return r.ok ? { config: r.config } : { errors: r.errors };
}

function parseKey(der: Buffer): KeyObject | undefined {
  for (const type of ['pkcs1', 'pkcs8'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // next encoding
    }
  }
  return undefined;
}

/** The config the firmware runs with: config.json, or config.bak when config.json is unusable. */
export function effectiveConfig(r: DeviceReport): { config?: DeviceConfig; from?: string; errors?: string[] } {
  if (r.sizes.config >= 0) {
    const c = parseConfig(r.configText);
    if (c.config) return { config: c.config, from: 'config.json' };
    if (r.sizes.backup >= 0) {
      const b = parseConfig(r.backupText);
      if (b.config) return { config: b.config, from: 'config.bak', errors: c.errors };
    }
    return { errors: c.errors };
  }
  return {};
}

export function runChecks(r: DeviceReport, o: { hasBoardJson: boolean; now?: Date }): Check[] {
  const now = o.now ?? new Date();
  const checks: Check[] = [];
  const add = (name: string, status: Status, detail: string, fix?: string) => checks.push({ name, status, detail, fix });
  const { info } = r;

  if (isOlderThanTested(info.version)) add('Espruino version', 'fail', `${info.version}, older than ${TESTED_VERSION}`, `flash Espruino ${TESTED_VERSION} or later (espruino.com/EspruinoESP8266)`);
  else add('Espruino version', 'ok', info.version);
  if (o.hasBoardJson) add('board', 'ok', info.board);
  else add('board', 'warn', `${info.board}: no config/boards/${info.board}.json, so flash cannot work offline`, `use an ESP8266_4MB (or ESP32) build, or add config/boards/${info.board}.json`);

  const eff = effectiveConfig(r);
  const cfg = eff.config;
  const direct = cfg?.mqtt.transport === 'tls';
  if (info.hasTls) add('tls module', 'ok', 'present');
  else if (direct) add('tls module', 'fail', 'missing, but config.json asks for direct TLS', `provision for the LAN gateway: ${PROVISION} --mode gateway --gateway HOST`);
  else add('tls module', 'ok', 'absent (stock ESP8266): gateway mode needs none');

  const { free, total } = r.memory;
  if (free < 0) add('free memory', 'warn', 'process.memory() gave no answer');
  else if (free < 100) add('free memory', 'fail', `${free} of ${total} JsVars free`, 'the firmware is running out of RAM: reflash (npm run flash) and report it');
  else if (free < 250) add('free memory', 'warn', `${free} of ${total} JsVars free`, 'little headroom: watch for "Out of Memory" on the console');
  else add('free memory', 'ok', `${free} of ${total} JsVars free`);

  const room = spaceFor(info.storage);
  if (room < 4096) add('free Storage', 'fail', `${room} bytes`, 'queued events and provisioning need space: erase unused files (require("Storage").list())');
  else if (room < 16384) add('free Storage', 'warn', `${room} bytes`, 'erase unused files (require("Storage").list())');
  else add('free Storage', 'ok', `${room} of ${info.storage.totalBytes} bytes (after compaction)`);

  // Since the A/B layout, .bootcde is the small loader and the firmware lives in fw.a / fw.b.
  const slots = [r.sizes.fwA >= 0 ? `slot a ${r.sizes.fwA} bytes` : '', r.sizes.fwB >= 0 ? `slot b ${r.sizes.fwB} bytes` : ''].filter(Boolean);
  if (r.sizes.bootcde < 0) add('firmware (.bootcde)', 'fail', 'missing', 'npm run flash');
  else if (slots.length) add('firmware (A/B slots)', 'ok', `${slots.join(', ')}; loader ${r.sizes.bootcde} bytes`);
  else add('firmware (.bootcde)', 'ok', `${r.sizes.bootcde} bytes`);

  if (r.sizes.config < 0) add('config.json', 'fail', 'missing: the firmware runs on defaults', PROVISION);
  else if (eff.from === 'config.bak') add('config.json', 'warn', `unusable (${eff.errors?.join('; ')}); the firmware falls back to config.bak`, `run provision again: ${PROVISION}`);
  else if (!cfg) add('config.json', 'fail', `invalid: ${eff.errors?.join('; ')}`, PROVISION);
  else add('config.json', 'ok', `thing ${cfg.thing}, MQTT ${cfg.mqtt.host}:${cfg.mqtt.port} (${cfg.mqtt.transport})`);

  if (cfg && direct) checkIdentity(r, cfg, now, add);
  else add('certificate', 'skip', cfg ? 'gateway mode: the gateway holds the AWS certificate' : 'no usable config');

  if (r.wifi.error !== undefined) add('Wi-Fi', 'fail', `the Wifi module failed: ${r.wifi.error}`, 'reflash Espruino for ESP8266');
  else if (r.wifi.status === 'connected' && r.wifi.ip && r.wifi.ip !== '0.0.0.0') add('Wi-Fi', 'ok', `connected to ${r.wifi.ssid ?? '?'}, IP ${r.wifi.ip}`);
  else add('Wi-Fi', 'fail', `${r.wifi.status ?? 'unknown'}${r.wifi.ssid ? ` (network ${r.wifi.ssid})` : ''}`, `check the network name and password (${PROVISION} --wifi-ssid NAME), and that the access point is in range`);

  add('MQTT', 'skip', 'the firmware does not report its MQTT state to the console yet');
  checkDoors(r, add);
  return checks;
}

const VLAN = 'put the board on its own SSID or VLAN (docs/security.md)';

/** The doors a stock ESP8266 Espruino opens (docs/security.md): soft AP, telnet console, port 88. */
function checkDoors(r: DeviceReport, add: (n: string, s: Status, d: string, f?: string) => void): void {
  const d = r.doors;
  if (d.ap === 'enabled') add('soft AP', 'fail', `open${d.apAuth && d.apAuth !== 'open' ? ` (${d.apAuth})` : ''}: anyone in radio range can join the board's own network`, 'let the firmware join Wi-Fi once (it stops the AP after the station starts, Espruino #883), or run require("Wifi").stopAP() at the console');
  else if (d.ap === 'disabled') add('soft AP', 'ok', 'off');
  else add('soft AP', 'skip', `no soft AP on this build (${d.apError ?? 'no answer'})`);
  const lan = d.lan;
  if (d.console === 'Telnet') add('telnet console', 'warn', 'open: doctor came in over it (maintenance mode, or no lockdown firmware)', 'short-press the button to close it, or reboot the board');
  else if (!lan) add('telnet console', 'skip', r.info.modules.includes('TelnetServer') ? 'the board has no IP address to try' : 'this build has no telnet console');
  else if (lan.telnet === 'open') add('telnet console', 'fail', 'port 23 accepts connections: anyone on the network gets the whole REPL', 'flash this firmware (npm run flash), which closes it at boot, or short-press the button if maintenance mode is on');
  else if (lan.telnet === 'closed') add('telnet console', 'ok', 'port 23 refuses connections');
  else add('telnet console', 'skip', `port 23 on ${r.wifi.ip} cannot be reached from here`);
  if (!lan) add('update server (port 88)', 'skip', r.info.modules.includes('TelnetServer') ? 'the board has no IP address to try' : 'only ESP8266 builds run it');
  else if (lan.fota === 'open') add('update server (port 88)', 'warn', `answers (${lan.fotaReply?.trim()}): anyone on the network can replace the firmware; JavaScript cannot close it`, `${VLAN}, or use an Espruino build made with NO_FOTA`);
  else if (lan.fota === 'closed') add('update server (port 88)', 'ok', 'does not answer');
  else add('update server (port 88)', 'skip', `port 88 on ${r.wifi.ip} cannot be reached from here`);
}

function checkIdentity(r: DeviceReport, cfg: DeviceConfig, now: Date, add: (n: string, s: Status, d: string, f?: string) => void): void {
  const { key, cert, ca } = cfg.tls;
  const missing = [key, cert, ca].filter((n) => !r.der[n]);
  if (missing.length) {
    add('certificate files', 'fail', `missing: ${missing.join(', ')}`, PROVISION);
    return;
  }
  add('certificate files', 'ok', `${cert}, ${key}, ${ca}`);
  let x: X509Certificate;
  try {
    x = new X509Certificate(r.der[cert]!);
  } catch {
    add('certificate', 'fail', `${cert} is not a readable DER certificate`, PROVISION);
    return;
  }
  const to = new Date(x.validTo);
  const from = new Date(x.validFrom);
  if (now > to) add('certificate', 'fail', `expired on ${to.toISOString()}`, `create a new certificate, then ${PROVISION}`);
  else if (now < from) add('certificate', 'fail', `not valid until ${from.toISOString()}`, "check this computer's clock, or use a current certificate");
  else add('certificate', 'ok', `${x.subject.replace(/\n/g, ', ')}, valid until ${to.toISOString().slice(0, 10)}`);
  const k = parseKey(r.der[key]!);
  if (!k) add('private key', 'fail', `${key} is not a readable DER key`, PROVISION);
  else if (!x.checkPrivateKey(k)) add('private key', 'fail', `${key} does not belong to ${cert}`, PROVISION);
  else add('private key', 'ok', `matches the certificate (${k.asymmetricKeyType} ${k.asymmetricKeyDetails?.modulusLength ?? ''})`.replace(' )', ')'));
  try {
    const c = new X509Certificate(r.der[ca]!);
    if (c.ca) add('CA certificate', 'ok', c.subject.replace(/\n/g, ', '));
    else add('CA certificate', 'fail', `${ca} is not a CA certificate`, PROVISION);
  } catch {
    add('CA certificate', 'fail', `${ca} is not a readable DER certificate`, PROVISION);
  }
}
