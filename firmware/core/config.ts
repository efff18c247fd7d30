// Device config: defaults overridden by Storage config.json, checked against the rule table of
// config/rules.ts, which also holds the defaults. Never throws: a bad field keeps its default and gets
// one log line. It does not read Storage (the glue passes the parsed JSON) and uses no zod.
import type { Log } from '../ports';

/**
 * config/rules.ts ruleTable(): one `path kind default args` line per field. The build puts it in as
 * a string literal (esbuild define), so it lives in flash with the code; jest sets it as a global.
 */
declare const __CONFIG_RULES__: string;

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
  /** Seconds a 10 s button hold opens the LAN console for (maintenance mode); 0 = never. */
  maintenanceS: number;
}

/**
 * What the glue passes as `raw` when config.json exists but does not parse (JSON.parse threw, or
 * Storage.readJSON gave undefined for a file that exists). undefined means there is no file.
 * A config.json holding just that JSON string gets the same message, which is right: it is not
 * a config either.
 */
export const CONFIG_UNPARSEABLE = 'unparseable';

/**
 * Builds the config: the defaults (or `into`), then `raw` (parsed config.json) merged over them, field
 * by field, validated. `raw` is undefined (no file: defaults, ok), CONFIG_UNPARSEABLE, or anything
 * JSON.parse can give (null, an array, a number...); for those it never throws. Unknown keys are
 * logged and ignored; a bad field is logged and keeps its default (pins.button and pins.led that
 * clash are both reset); ok is false if any field (or the whole file) was bad.
 *
 * RAM: the result is a fresh object that nothing here keeps, so once boot has handed its values to
 * the modules it is garbage; with `once` (the device's boot) this function frees itself too. The
 * defaults live in the rule table, a string literal in the code, so they stay in flash.
 */
export let loadConfig = function (raw: unknown, log: Log, into?: Config, once?: 1): { cfg: Config; ok: boolean } {
  if (once) loadConfig = 0 as never; // the device's boot loads once: free this function object
  // The rule table (config/rules.ts says what each kind means): path, kind letter, default ('-' for
  // none), arguments. i a..b integer | z 0 or a..b integer | s a..b-char string | n same, A-Z a-z
  // 0-9 : _ - only | t topic prefix | b boolean | e one of the words | p pin, B button, L LED.
  // Split inside the function, so the rows are in RAM only while this runs.
  const rows = __CONFIG_RULES__.split('\n');
  const c = (into || {}) as any;
  const o = raw as any;
  const was: any = {}; // each field's value before config.json's, to undo a pair that does not fit
  let ok = true;
  // Helpers live inside the function so their objects exist only while it runs.
  const bad = (msg: string) => {
    ok = false;
    log('config: ' + msg + '; fix config.json with npm run provision');
  };
  const obj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const unknown = (k: string) => log('config: unknown key ' + k + ' ignored (check its spelling)');
  // No regular expressions in the firmware: the first one run keeps Espruino's RegExp class in RAM
  // for good (8 JsVars, measured on 2v29). lastIndexOf, not indexOf: 2v29's indexOf of a longer
  // needle is wrong when a prefix of it ends the string (docs/espruino.md).
  const hasChar = (t: string, chars: string) => {
    for (let i = 0; i < chars.length; i++) if (t.lastIndexOf(chars.charAt(i)) >= 0) return true;
    return false;
  };
  // What was given, for the log line. Secrets are never echoed to the console, only their length or type.
  const got = (key: string, v: unknown): string => {
    if (key.lastIndexOf('password') >= 0 || key.lastIndexOf('secret') >= 0) return typeof v === 'string' ? v.length + ' characters' : v === null ? 'null' : typeof v;
    // v came from JSON.parse, so it always serialises back (no cycles, no functions).
    const t = '' + JSON.stringify(v);
    return t.length > 40 ? t.slice(0, 40) + '...' : t;
  };
  // Whether every character is one of A-Z a-z 0-9 : _ - (what AWS allows in a thing name).
  const nameOnly = (t: string) => {
    for (let i = 0; i < t.length; i++) {
      const c = t.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === ':' || c === '_' || c === '-')) return false;
    }
    return true;
  };
  // Whether some row's path starts with `p` (then ' ' for a field, '.' for a group).
  const has = (p: string) => rows.some((row) => row.startsWith(p));
  const whole = obj(raw);
  if (raw === 'unparseable') bad('config.json is not valid JSON');
  else if (raw !== undefined && !whole) bad('config.json must hold a JSON object (got ' + got('', raw) + ')');
  else if (whole)
    for (const k in o) {
      // Keys with ' ' or '.' can never match a path.
      const group = has(k + '.');
      if (hasChar(k, ' .') || !(group || has(k + ' '))) unknown(k);
      else if (group && !obj(o[k])) bad(k + ' must be an object (got ' + got(k, o[k]) + ')');
      else if (group) for (const f in o[k]) if (hasChar(f, ' .') || !has(k + '.' + f + ' ')) unknown(k + '.' + f);
    }
  for (const row of rows) {
    const r = row.split(' ');
    const p = r[0].split('.');
    const key = p[1] || p[0];
    const k = r[1];
    const g = p[1] ? c[p[0]] || (c[p[0]] = {}) : c;
    if (!into && r[2] !== '-') g[key] = k === 'i' || k === 'z' ? +r[2] : k === 'b' ? r[2] === 'true' : r[2];
    was[r[0]] = g[key];
    const src = whole && (p[1] ? obj(o[p[0]]) && o[p[0]] : o);
    const v = src ? src[key] : undefined;
    if (v === undefined) continue;
    // Why v does not satisfy the row, '' if it does.
    const a = +r[3];
    const b = +r[4];
    const t = typeof v === 'string' ? v : '';
    // w: what v must be ('' when it is), n: what a pin may not be.
    let w = '';
    let n = '';
    if (k === 'b') w = typeof v === 'boolean' ? '' : 'true or false';
    else if (k === 'i' || k === 'z')
      w = typeof v === 'number' && v === Math.floor(v) && ((v >= a && v <= b) || (k === 'z' && v === 0)) ? '' : (k === 'z' ? '0 (off) or an integer ' : 'an integer ') + a + '..' + b;
    else if (k === 'e') w = r.indexOf(v, 3) > 2 ? '' : '"' + r.slice(3).join('" or "') + '"';
    else if (k === 'p') {
      const d = +t.slice(1);
      // Round-tripping the number rejects "X2", "D", "D02", "D 2", "D2.0" (and NaN fails the range).
      if (!(d >= 0 && d <= 16) || 'D' + d !== v) w = 'a pin name D0..D16';
      else if (d >= 6 && d <= 11) n = 'D6..D11 (flash chip pins)';
      else if (r[3] === 'B' && d === 16) n = 'D16 (it cannot be watched)';
      else if (r[3] === 'L' && !d) n = 'D0 (the FLASH button)';
    } else if (
      !(
        typeof v === 'string' && t.length >= a && t.length <= b &&
        (k === 'n' ? nameOnly(t) : k !== 't' || !(hasChar(t, '+#') || t.charAt(0) === '/' || t.charAt(t.length - 1) === '/'))
      )
    )
      w = (k === 's' ? 'a string of ' : '') + a + '..' + b +
        (k === 'n' ? ' characters of A-Z a-z 0-9 : _ -' : k === 't' ? ' characters with no + or # and no / at either end' : ' characters');
    if (w || n) bad(r[0] + (w ? ' must be ' + w : ' may not be ' + n) + ' (got ' + got(key, v) + ')');
    else g[key] = v;
  }
  const bo = c.backoff;
  const pi = c.pins;
  // A bad config keeps the device offline (main.ts shows the fault), so a pair that does not fit is
  // only undone where the error pattern needs it: the LED must not share the button's pin.
  if (bo.capMs < bo.baseMs) bad('backoff.capMs must be >= backoff.baseMs (got ' + bo.capMs + ' < ' + bo.baseMs + ')');
  if (pi.led === pi.button) {
    bad('pins.button and pins.led must differ (both ' + pi.led + ')');
    pi.button = was['pins.button'];
    pi.led = was['pins.led'];
  }
  if (c.mqtt.clientId === undefined) c.mqtt.clientId = c.thing;
  return { cfg: c, ok: ok };
};

/** The defaults alone, without the resolved client id: for host code that passes `into`. */
export function defaultConfig(): Config {
  const c = loadConfig(undefined, function () {}).cfg;
  delete (c.mqtt as { clientId?: string }).clientId;
  return c;
}
