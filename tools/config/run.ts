// `npm run config`: read (get) or change (set) fields of config.json on the device without
// provisioning again. set validates with config/schema.ts before it touches anything, writes
// config.bak then config.json (provision's device-update.ts) and restarts the program into it.
// It never changes the identity (thing, certificates, gateway secret) and never prints a secret.
import { parseDeviceConfig } from '../../config/schema';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { openDevice, type DeviceDeps } from '../device/open-device';
import { readDeviceConfig } from '../device/read-config';
import { silentProgress, type ProgressFactory } from '../device/progress';
import { applyUpdate } from '../provision/device-update';
import { parseOldConfig } from '../provision/device-config';
import { CONFIG_FILE } from '../provision/storage-plan';
import type { AskSecret } from '../provision/ask-secret';
import { configKeys, defaultOf, findKey, IDENTITY_KEYS, parseValue, SECRET_KEYS, showValue, valueAt, withValue, type ConfigKey } from './config-keys';

export interface ConfigOptions {
  port?: string;
  timeoutMs?: number;
}

export interface ConfigDeps extends DeviceDeps {
  log: Logger;
  progress?: ProgressFactory;
  /** Asks for a secret given as a bare KEY (wifi.password), without echo. */
  askSecret?: AskSecret;
}

interface Change {
  k: ConfigKey;
  /** undefined: a secret to ask for. */
  text?: string;
}

/** KEY=VALUE texts to changes, refused before the device is opened. */
export function parsePairs(pairs: string[]): Change[] {
  const out: Change[] = [];
  for (const p of pairs) {
    const i = p.indexOf('=');
    const key = i < 0 ? p : p.slice(0, i);
    const k = findKey(key);
    if (IDENTITY_KEYS.has(k.key)) {
      throw new UserError(`${k.key} is part of the identity provision gave the board (certificate, policy, gateway enrolment): change it with npm run provision.`, 'config-key-identity');
    }
    if (out.some((c) => c.k.key === k.key)) throw new UserError(`${k.key} is given twice: give each key once.`, 'config-pair-invalid');
    if (i < 0 && !SECRET_KEYS.has(k.key)) {
      throw new UserError(`"${p}" has no value: write ${k.key}=VALUE (npm run config -- get ${k.key} shows the current one).`, 'config-pair-invalid');
    }
    out.push({ k, text: i < 0 ? undefined : p.slice(i + 1) });
  }
  return out;
}

/** What `get` printed: key -> shown value (secrets masked). */
export async function getConfig(o: ConfigOptions & { key?: string }, deps: ConfigDeps): Promise<Record<string, string>> {
  const { log } = deps;
  const keys = o.key !== undefined ? [findKey(o.key)] : configKeys();
  const dev = await openDevice({ port: o.port, log, timeoutMs: o.timeoutMs }, deps);
  try {
    const text = await readDeviceConfig(dev.client, CONFIG_FILE, log);
    const old = parseOldConfig(text);
    if (text === '') log.warn(`${dev.port} has no ${CONFIG_FILE}: it runs on the defaults (npm run provision writes one).`);
    if (old.problem) log.warn(`The device's ${CONFIG_FILE} is unreadable (${old.problem}): it runs on config.bak or the defaults; npm run provision writes a new one.`);
    if (old.config) {
      const r = parseDeviceConfig(old.config);
      for (const w of [...r.warnings, ...(r.ok ? [] : r.errors)]) log.warn(`${CONFIG_FILE}: ${w}`);
    }
    const shown: Record<string, string> = {};
    for (const k of keys) {
      const v = valueAt(old.config, k.path);
      shown[k.key] = showValue(k, v ?? defaultOf(k, old.config));
      if (o.key !== undefined) log.out(shown[k.key]);
      else log.out(`${k.key} = ${shown[k.key]}${v === undefined ? '  (default)' : ''}`);
    }
    return shown;
  } finally {
    await dev.close();
  }
}

export interface SetResult {
  port: string;
  /** Keys whose value changed (none: nothing was written). */
  changed: string[];
}

export async function setConfig(o: ConfigOptions & { pairs: string[] }, deps: ConfigDeps): Promise<SetResult> {
  const { log } = deps;
  const changes = parsePairs(o.pairs);
  const dev = await openDevice({ port: o.port, log, timeoutMs: o.timeoutMs }, deps);
  try {
    const text = await readDeviceConfig(dev.client, CONFIG_FILE, log);
    const old = parseOldConfig(text);
    if (!old.config) {
      const why = text === '' ? 'has no config.json yet' : `has a ${CONFIG_FILE} that is unreadable (${old.problem})`;
      throw new UserError(`The device ${why}: run npm run provision, which writes a whole one; config changes fields of an existing one.`, 'config-none');
    }
    let next = old.config;
    for (const c of changes) {
      const value = parseValue(c.k, c.text ?? (await (deps.askSecret ?? noTerminal)(`${c.k.key}: `)));
      if (SECRET_KEYS.has(c.k.key) && typeof value === 'string') log.addSecret(value);
      next = withValue(next, c.k.path, value);
    }
    const r = parseDeviceConfig(next);
    if (!r.ok) {
      const why = r.errors.map((e) => e.replace(/; fix it in the device config and run npm run provision again$/, ''));
      throw new UserError(`The config would be invalid (${why.join('; ')}): nothing was changed on the device.`, 'config-value-invalid');
    }
    const changed = changes.filter((c) => JSON.stringify(valueAt(old.config, c.k.path)) !== JSON.stringify(valueAt(next, c.k.path))).map((c) => c.k);
    if (changed.length === 0) {
      log.info(`Nothing to change: ${dev.port} already has ${changes.map((c) => c.k.key).join(', ')} so.`);
      return { port: dev.port, changed: [] };
    }
    const bytes = Buffer.from(JSON.stringify(next), 'utf8');
    const bar = (deps.progress ?? silentProgress)('config', 2 * bytes.length);
    try {
      await applyUpdate(dev.client, { files: [], config: bytes, erase: [] }, { progress: bar, timeoutMs: o.timeoutMs });
    } finally {
      bar.stop();
    }
    for (const k of changed) log.info(`  ${k.key}: ${showValue(k, valueAt(old.config, k.path) ?? defaultOf(k, old.config))} -> ${showValue(k, valueAt(next, k.path))}`);
    log.info(`Changed ${changed.length} key(s) on ${dev.port} (config.bak, then config.json); the device restarted with them.`);
    return { port: dev.port, changed: changed.map((k) => k.key) };
  } finally {
    await dev.close();
  }
}

const noTerminal: AskSecret = () => Promise.reject(new UserError('A secret given without a value needs a terminal to ask on: write KEY=VALUE instead.', 'config-pair-invalid'));
