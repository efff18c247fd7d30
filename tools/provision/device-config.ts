// The config.json provision writes: the new identity and addresses, the flags given, and the old
// config's own settings (Wi-Fi, pins, timings) kept when no flag replaces them, validated with the
// host schema before anything is sent. It reads and writes no files.
import { parseDeviceConfig, type DeviceConfigInput } from '../../config/schema';
import { UserError } from '../shared/errors';

export type Mode = 'direct' | 'gateway';

export interface ConfigSettings {
  pins?: { button?: string; led?: string; buttonActiveLow?: boolean; ledActiveLow?: boolean };
  button?: { debounceMs?: number; doubleMs?: number; longMs?: number };
  keepaliveS?: number;
  healthS?: number;
  /** Seconds the 10 s button hold opens the LAN console for; 0 = never. */
  maintenanceS?: number;
  wifiTimeoutS?: number;
  topicPrefix?: string;
}

export interface ConfigInputs {
  thing: string;
  mode: Mode;
  /** Direct: the AWS IoT endpoint; gateway: the gateway's LAN address. */
  mqtt: { host: string; port: number };
  /** Direct mode: Storage names of the DER files. */
  tls?: { key: string; cert: string; ca: string };
  /** Gateway mode: the device secret. */
  secret?: string;
  wifi?: { ssid: string; password: string };
  settings: ConfigSettings;
  /** The config.json the device has now, parsed (undefined when missing or unreadable). */
  old?: Record<string, unknown>;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Drops undefined members, so JSON.stringify output and the zod input agree. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The config.json object (a partial override of the defaults in config/rules.ts). */
export function buildConfig(i: ConfigInputs): DeviceConfigInput {
  const old = i.old ?? {};
  const oldWifi = obj(old.wifi) ?? {};
  const oldMqtt = obj(old.mqtt) ?? {};
  const s = i.settings;
  // Settings the device had stay; identity fields (thing, mqtt address and credentials, tls,
  // gateway) are always the new ones.
  const wifi = defined({
    ssid: i.wifi?.ssid ?? (oldWifi.ssid as string | undefined),
    password: i.wifi ? i.wifi.password : (oldWifi.password as string | undefined),
    timeoutS: s.wifiTimeoutS ?? (oldWifi.timeoutS as number | undefined),
  });
  const config: Record<string, unknown> = {
    thing: i.thing,
    wifi: Object.keys(wifi).length ? wifi : undefined,
    mqtt: defined({
      host: i.mqtt.host,
      port: i.mqtt.port,
      transport: i.mode === 'direct' ? 'tls' : 'tcp',
      keepaliveS: s.keepaliveS ?? (oldMqtt.keepaliveS as number | undefined),
      topicPrefix: s.topicPrefix ?? (oldMqtt.topicPrefix as string | undefined),
    }),
    tls: i.mode === 'direct' ? i.tls : undefined,
    pins: merge(old.pins, s.pins),
    button: merge(old.button, s.button),
    outbox: obj(old.outbox),
    backoff: obj(old.backoff),
    healthS: s.healthS ?? (typeof old.healthS === 'number' ? old.healthS : undefined),
    gateway: i.mode === 'gateway' ? { secret: i.secret } : undefined,
    maintenanceS: s.maintenanceS ?? (typeof old.maintenanceS === 'number' ? old.maintenanceS : undefined),
  };
  return defined(config) as DeviceConfigInput;
}

function merge(old: unknown, given: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const out = { ...(obj(old) ?? {}), ...defined(given ?? {}) };
  return Object.keys(out).length ? out : undefined;
}

/** Validates with the same rules as the device and returns the bytes to store (UTF-8 JSON). */
export function serializeConfig(config: DeviceConfigInput): { text: string; bytes: Buffer; warnings: string[] } {
  const r = parseDeviceConfig(config);
  if (!r.ok) {
    // The schema's sentences end by telling the user to provision again, which is what is running.
    const why = r.errors.map((e) => e.replace(/; fix it in the device config and run npm run provision again$/, ''));
    throw new UserError(
      `The device config would be invalid, so nothing was written (${why.join('; ')}): correct those flags, or the old config.json values they come from, and run provision again.`,
      'config-invalid',
    );
  }
  const text = JSON.stringify(config);
  return { text, bytes: Buffer.from(text, 'utf8'), warnings: r.warnings };
}

/** The old config.json text as the device returned it, parsed; undefined if absent or not JSON. */
export function parseOldConfig(text: string): { config?: Record<string, unknown>; problem?: string } {
  if (text === '') return {};
  try {
    const v = obj(JSON.parse(text));
    return v ? { config: v } : { problem: 'it does not hold a JSON object' };
  } catch {
    return { problem: 'it is not valid JSON' };
  }
}
