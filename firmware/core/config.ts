// Device config: compiled defaults (config/defaults.json) overridden by Storage config.json, checked
// against one small rule table. Never throws: a bad field keeps its default and gets one log line.
// It does not read Storage (the glue passes the parsed JSON) and uses no zod; config/schema.ts is its host twin.
import type { Log } from '../ports';
import defaults from '../../config/defaults.json';

export interface Config {
  /** AWS IoT thing name; also the MQTT client id unless mqtt.clientId is set. */
  thing: string;
  /** No ssid: use the credentials saved on the device (Wifi.save). */
  wifi: { ssid?: string; password?: string; timeoutS: number };
  mqtt: {
    host: string;
    port: number;
    transport: 'tls' | 'tcp';
    keepaliveS: number;
    username?: string;
    password?: string;
    /** Always set after loadConfig: config.json's value, or `thing`. */
    clientId: string;
    topicPrefix: string;
  };
  /** Storage file names of the DER key, certificate and CA. */
  tls: { key: string; cert: string; ca: string };
  pins: { button: string; led: string; buttonActiveLow: boolean; ledActiveLow: boolean };
  button: { debounceMs: number; doubleMs: number; longMs: number; gestures: boolean };
  outbox: { max: number; ttlH: number };
  backoff: { baseMs: number; capMs: number };
  /** Seconds between health lines; 0 = off. */
  healthS: number;
  /** Reserved for the LAN gateway. */
  gateway: { secret?: string };
}

/**
 * What the glue passes as `raw` when config.json exists but does not parse (JSON.parse threw, or
 * Storage.readJSON gave undefined for a file that exists). undefined means there is no file.
 * A config.json holding just that JSON string gets the same message, which is right: it is not
 * a config either.
 */
export const CONFIG_UNPARSEABLE = 'unparseable';

/**
 * Merges `raw` (parsed config.json) over the defaults, field by field, and validates it.
 * `raw` may be anything: undefined (no file: defaults, ok), CONFIG_UNPARSEABLE, null, an array...
 * It never throws.
 * Unknown keys are logged and ignored; a bad field is logged and keeps its default; ok is false
 * if any field (or the whole file) was bad.
 *
 * RAM: by default the result IS the compiled defaults object, updated in place, because the bundle
 * keeps that object alive anyway and a copy would cost ~50 JsVars. So the device calls this once
 * per boot; host code that loads several configs (tests, simulators) passes a fresh copy of the
 * defaults as `into` (see defaultConfig()).
 */
export function loadConfig(raw: unknown, log: Log, into?: Config): { cfg: Config; ok: boolean } {
  const cfg = into || (defaults as unknown as Config);
  let ok = true;
  // Helpers live inside the function so their objects exist only while it runs.
  function bad(msg: string) {
    ok = false;
    log('config: ' + msg + '; fix config.json with npm run provision');
  }
  function isObj(v: unknown): boolean {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
  // Secrets are never echoed to the console, only their length or type.
  function got(key: string, v: unknown): string {
    if (key === 'password' || key === 'secret') return typeof v === 'string' ? v.length + ' characters' : v === null ? 'null' : typeof v;
    let s: string;
    try {
      s = typeof v === 'number' ? String(v) : '' + JSON.stringify(v);
    } catch (e) {
      s = typeof v; // circular or unserialisable: say what it is
    }
    return s.length > 40 ? s.slice(0, 40) + '...' : s;
  }
  function nameOk(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
      const c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === ':' || c === '_' || c === '-')) return false;
    }
    return true;
  }
  // '' if v satisfies the rule row r = [path, kind, args...], else what it must be.
  function why(r: string[], v: unknown): string {
    const k = r[1];
    const a = +r[2];
    const b = +r[3];
    if (k === 'b') return typeof v === 'boolean' ? '' : 'must be true or false';
    if (k === 'i' || k === 'z') {
      if (typeof v === 'number' && v === Math.floor(v) && ((v >= a && v <= b) || (k === 'z' && v === 0))) return '';
      return (k === 'z' ? 'must be 0 (off) or an integer ' : 'must be an integer ') + a + '..' + b;
    }
    if (k === 'e') {
      for (let i = 2; i < r.length; i++) if (v === r[i]) return '';
      return 'must be "' + r.slice(2).join('" or "') + '"';
    }
    if (k === 'p') {
      const n = typeof v === 'string' && v.charAt(0) === 'D' ? +v.slice(1) : -1;
      // Round-tripping the number rejects "D", "D02", "D 2", "D2.0".
      if (!(n >= 0 && n <= 16) || 'D' + n !== v) return 'must be a pin name D0..D16';
      if (n >= 6 && n <= 11) return 'may not be D6..D11, which are wired to the flash chip';
      if (r[2] === 'B' && n === 16) return 'may not be D16, which cannot be watched for presses';
      if (r[2] === 'L' && n === 0) return 'may not be D0, which carries the FLASH button and must never be driven';
      return '';
    }
    const s = typeof v === 'string' && v.length >= a && v.length <= b;
    if (k === 'n') return s && nameOk(v as string) ? '' : 'must be ' + a + '..' + b + ' characters of A-Z a-z 0-9 : _ -';
    if (k === 't') {
      const t = v as string;
      const fine = s && t.indexOf('+') < 0 && t.indexOf('#') < 0 && t.charAt(0) !== '/' && t.charAt(t.length - 1) !== '/';
      return fine ? '' : 'must be ' + a + '..' + b + ' characters with no + or # and no / at either end';
    }
    return s ? '' : 'must be a string of ' + a + '..' + b + ' characters';
  }

  // The literal, not CONFIG_UNPARSEABLE: a module-level constant would stay in RAM.
  if (raw === 'unparseable') bad('config.json is not valid JSON');
  else if (raw !== undefined && !isObj(raw)) bad('config.json must hold a JSON object (got ' + got('', raw) + ')');
  else if (raw !== undefined) {
    const o = raw as any;
    const c = cfg as any;
    // The rule table: path, kind, arguments. Kinds: i a..b integer | z 0 or a..b integer |
    // s a..b-char string | n same, A-Z a-z 0-9 : _ - only | t topic prefix | b boolean |
    // e one of the words | p pin, B for the button (no D16), L for the LED (no D0).
    // The topic prefix starts every PUBLISH topic, which may hold no wildcards [MQTT-3.3.2-2].
    // A string local to this call, so the table is in RAM only while it runs.
    const rows = (
      'thing n 1 128\nwifi.ssid s 1 32\nwifi.password s 0 64\nwifi.timeoutS i 5 300\n' +
      'mqtt.host s 1 253\nmqtt.port i 1 65535\nmqtt.transport e tls tcp\nmqtt.keepaliveS i 30 1200\n' +
      'mqtt.username s 0 128\nmqtt.password s 0 256\nmqtt.clientId s 1 128\nmqtt.topicPrefix t 1 64\n' +
      'tls.key s 1 28\ntls.cert s 1 28\ntls.ca s 1 28\n' +
      'pins.button p B\npins.led p L\npins.buttonActiveLow b\npins.ledActiveLow b\n' +
      'button.debounceMs i 0 500\nbutton.doubleMs i 100 2000\nbutton.longMs i 300 10000\nbutton.gestures b\n' +
      'outbox.max i 1 500\noutbox.ttlH i 1 720\nbackoff.baseMs i 100 60000\nbackoff.capMs i 1000 3600000\n' +
      'healthS z 5 3600\ngateway.secret s 1 128'
    ).split('\n');
    const known = function (path: string): number {
      // 1 = a field, 2 = a group of fields, 0 = unknown. Keys with ' ' or '.' can never match.
      if (path.indexOf(' ') >= 0) return 0;
      let kind = 0;
      for (const row of rows) {
        if (row.startsWith(path + ' ')) kind = 1;
        else if (path.indexOf('.') < 0 && row.startsWith(path + '.')) kind = 2;
      }
      return kind;
    };
    for (const k in o) {
      const kind = k.indexOf('.') < 0 ? known(k) : 0;
      if (!kind) log('config: unknown key ' + k + ' ignored (check its spelling)');
      else if (kind === 2 && !isObj(o[k])) bad(k + ' must be an object (got ' + got(k, o[k]) + ')');
      else if (kind === 2) {
        for (const f in o[k]) {
          if (f.indexOf('.') >= 0 || known(k + '.' + f) !== 1) log('config: unknown key ' + k + '.' + f + ' ignored (check its spelling)');
        }
      }
    }
    // Values that only make sense together: kept to restore both if the pair is inconsistent.
    const base0 = cfg.backoff.baseMs;
    const cap0 = cfg.backoff.capMs;
    const btn0 = cfg.pins.button;
    const led0 = cfg.pins.led;
    for (const row of rows) {
      const r = row.split(' ');
      const p = r[0].split('.');
      const group = p.length > 1 ? (isObj(o[p[0]]) ? o[p[0]] : undefined) : o;
      const key = p.length > 1 ? p[1] : p[0];
      const v = group ? group[key] : undefined;
      if (v === undefined) continue;
      const w = why(r, v);
      if (w) bad(r[0] + ' ' + w + ' (got ' + got(key, v) + ')');
      else (p.length > 1 ? c[p[0]] : c)[key] = v;
    }
    if (cfg.backoff.capMs < cfg.backoff.baseMs) {
      bad('backoff.capMs (' + cfg.backoff.capMs + ') must be at least backoff.baseMs (' + cfg.backoff.baseMs + ')');
      cfg.backoff.baseMs = base0;
      cfg.backoff.capMs = cap0;
    }
    if (cfg.pins.led === cfg.pins.button) {
      bad('pins.button and pins.led must be different pins (both ' + cfg.pins.led + ')');
      cfg.pins.button = btn0;
      cfg.pins.led = led0;
    }
  }
  if (cfg.mqtt.clientId === undefined) cfg.mqtt.clientId = cfg.thing;
  return { cfg: cfg, ok: ok };
}

/** A fresh copy of the compiled defaults, for host code that calls loadConfig more than once. */
export function defaultConfig(): Config {
  return JSON.parse(JSON.stringify(defaults));
}
