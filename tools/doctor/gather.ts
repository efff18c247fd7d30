// Reads what doctor judges from a running board, without changing it: no reset, no globals left
// behind, files read in small slices. The Wi-Fi password getDetails() holds never leaves the board.
// config.json, config.bak and the private key do (so the config can be judged and the key matched
// with the certificate here), but only masked by a one-time pad on the device's console
// (readStorageFile), and registered as secrets before anything could print them.
import type { Logger } from '../shared/log';
import { readStorageFile } from '../device/storage-writer';
import { readDeviceConfig } from '../device/read-config';
import type { ConnectedDevice } from '../device/open-device';
import type { DeviceInfo } from '../device/device-probe';
import type { LanDoors } from './lan-doors';

/** Probe extras, answered with the first probe (one round trip). Espruino 2v29 syntax. */
export const DOCTOR_PROBE = [
  '(function(m){return[m.free,m.total]})(process.memory())',
  '[".bootcde","config.json","config.bak","fw.a","fw.b"].map(function(n){var s=S.read(n);return s===undefined?-1:s.length})',
  '(function(){try{var w=require("Wifi"),d=w.getDetails(),i=w.getIP();return[d.status,d.ssid,i.ip]}catch(e){return[""+e]}})()',
  // The soft AP as the SDK has it, and where the console is (Telnet: doctor itself came in over it).
  '(function(){var r=[E.getConsole()];try{var d=require("Wifi").getAPDetails();r.push(d.status,d.authMode)}catch(e){r.push(""+e)}return r})()',
];

export interface DeviceReport {
  info: DeviceInfo;
  memory: { free: number; total: number };
  /** Length in bytes, or -1 when missing. */
  /** fwA/fwB: the A/B firmware slots npm run flash and updates write (-1 on a board flashed before them). */
  sizes: { bootcde: number; config: number; backup: number; fwA: number; fwB: number };
  /** Filled by readConfigFiles ('' when missing). */
  configText: string;
  backupText: string;
  wifi: { status?: string; ssid?: string; ip?: string; error?: string };
  /** The doors (docs/security.md): the soft AP and console from the board, the rest from the LAN. */
  doors: { console?: string; ap?: string; apAuth?: string; apError?: string; lan?: LanDoors };
  /** DER files read back by name (undefined: missing). Filled by readDerFiles. */
  der: Record<string, Buffer | undefined>;
}

function nums(v: unknown, n: number): number[] {
  const a = Array.isArray(v) ? v : [];
  return Array.from({ length: n }, (_, i) => (typeof a[i] === 'number' ? (a[i] as number) : -1));
}

export function reportFromProbe(dev: Pick<ConnectedDevice, 'info' | 'extra'>): DeviceReport {
  const [mem, sizes, wifi, doors] = dev.extra;
  const d = Array.isArray(doors) ? (doors as unknown[]) : [];
  const [free, total] = nums(mem, 2);
  const [bootcde, cfg, bak, fwA, fwB] = nums(sizes, 5);
  const w = Array.isArray(wifi) ? (wifi as unknown[]) : [];
  return {
    info: dev.info,
    memory: { free, total },
    sizes: { bootcde, config: cfg, backup: bak, fwA, fwB },
    configText: '',
    backupText: '',
    wifi: w.length === 1 ? { error: String(w[0]) } : { status: w[0] as string, ssid: w[1] as string, ip: w[2] as string },
    doors: d.length === 3 ? { console: String(d[0]), ap: String(d[1]), apAuth: String(d[2]) } : { console: d[0] === undefined ? undefined : String(d[0]), apError: d.length === 2 ? String(d[1]) : undefined },
    der: {},
  };
}

/** Reads the DER files a config names; the key's bytes are registered as a secret first. */
export async function readDerFiles(dev: ConnectedDevice, names: { key: string; cert: string; ca: string }, log: Logger): Promise<Record<string, Buffer | undefined>> {
  const out: Record<string, Buffer | undefined> = {};
  for (const name of [names.cert, names.ca, names.key]) {
    const data = await readStorageFile(dev.client, name);
    if (data && name === names.key) log.addSecret(data);
    out[name] = data;
  }
  return out;
}

/** Reads config.json and config.bak into the report, registering their secrets with the logger first. */
export async function readConfigFiles(dev: ConnectedDevice, report: DeviceReport, log: Logger): Promise<void> {
  if (report.sizes.config >= 0) report.configText = await readDeviceConfig(dev.client, 'config.json', log);
  if (report.sizes.backup >= 0) report.backupText = await readDeviceConfig(dev.client, 'config.bak', log);
}
