// The zod schema of a device's config.json (a partial override of the defaults), made from the rule
// table in config/rules.ts, and a parser that gives one sentence per bad field, worded as the device
// logs it. It reads and writes no files. test/config/schema-parity.test.ts proves it and the device's
// validator (firmware/core/config.ts, which reads the same table) accept and reject the same configs.
import { z } from 'zod';
import type { Config } from '../firmware/core/config';
import { configDefaults, configRules, ruleText, type Rule } from './rules';

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Why `v` cannot be the button's or the LED's pin, or '' if it can. ESP8266 GPIOn is Espruino's Dn. */
function pinProblem(v: string, use: Rule['use']): string {
  const m = /^D(\d+)$/.exec(v);
  const n = m && String(Number(m[1])) === m[1] ? Number(m[1]) : -1;
  if (n < 0 || n > 16) return 'must be a pin name D0..D16';
  if (n >= 6 && n <= 11) return 'may not be D6..D11 (flash chip pins)';
  if (use === 'button' && n === 16) return 'may not be D16 (it cannot be watched)';
  if (use === 'led' && n === 0) return 'may not be D0 (the FLASH button)';
  return '';
}

// Each rule carries one message for every way the value can be wrong, so an error reads the
// same whichever check caught it, and the same as the device's log line.
function check(r: Rule): z.ZodType {
  const m = ruleText(r);
  const a = r.min!;
  const b = r.max!;
  const str = () => z.string({ error: m }).min(a, { error: m }).max(b, { error: m });
  switch (r.kind) {
    case 'int':
      // Number.isInteger as a refinement, not .int(): .int() aborts the parse, which would hide the
      // pair checks below, and the device reports those alongside any other error.
      return z.number({ error: m }).min(a, { error: m }).max(b, { error: m }).refine(Number.isInteger, { error: m });
    case 'intOrOff':
      return z.number({ error: m }).refine((v) => Number.isInteger(v) && (v === 0 || (v >= a && v <= b)), { error: m });
    case 'string':
      return str();
    case 'name':
      return str().regex(/^[A-Za-z0-9:_-]*$/, { error: m });
    case 'topicPrefix':
      // [MQTT-3.3.2-2] a PUBLISH topic name must not contain wildcards.
      return str().refine((v) => !/[+#]/.test(v) && !v.startsWith('/') && !v.endsWith('/'), { error: m });
    case 'bool':
      return z.boolean({ error: m });
    case 'oneOf':
      return z.enum(r.words as [string, ...string[]], { error: m });
    case 'pin':
      return z.string({ error: m }).superRefine((v, ctx) => {
        const why = pinProblem(v, r.use);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      });
  }
}

/** Each field's schema by path: optional, or filled with its default. */
const fields = new Map<string, z.ZodType>(
  configRules.map((r) => [r.path, r.default === undefined ? check(r).optional() : check(r).default(r.default as never)]),
);

/** The top-level shape: plain fields, and groups whose missing object is parsed as {} (prefault) so its fields get their defaults. */
function shape(): z.ZodRawShape {
  // In the table's order, so errors come in the order the device logs them.
  const out: Record<string, z.ZodType> = {};
  const groups: Record<string, Record<string, z.ZodType>> = {};
  for (const [path, f] of fields) {
    const [g, k] = path.split('.');
    if (k === undefined) out[g] = f;
    else if (!groups[g]) {
      groups[g] = { [k]: f };
      out[g] = f; // a placeholder that keeps the group's place
    } else groups[g][k] = f;
  }
  for (const [g, inner] of Object.entries(groups)) {
    const o = z.object(inner, { error: 'must be an object' });
    out[g] = o.prefault({} as z.input<typeof o>);
  }
  return out;
}

/** The value the device ends up using for a field: the given one if valid alone, else the default. */
function used(path: string, raw: Record<string, unknown>): unknown {
  const [g, k] = path.split('.');
  const group = raw[g];
  const r = fields.get(path)!.safeParse(isObj(group) ? group[k] : undefined);
  return r.success ? r.data : fields.get(path)!.parse(undefined);
}

/** config.json as the device reads it: every field optional, filled from the rules' defaults. */
export const configSchema = z
  .object(shape(), { error: 'must hold a JSON object' })
  // Pairs that are each valid but wrong together, judged on the values the device would use
  // (a field that is bad alone already has its own error and falls back to its default).
  // `when`: run even if other fields failed (zod skips by default), as the device checks pairs regardless.
  // `whole`: the message is already a full sentence.
  .superRefine((c, ctx) => {
    const raw = c as Record<string, unknown>;
    const base = used('backoff.baseMs', raw) as number;
    const cap = used('backoff.capMs', raw) as number;
    if (cap < base)
      ctx.addIssue({
        code: 'custom',
        path: ['backoff', 'capMs'],
        message: `backoff.capMs must be >= backoff.baseMs (got ${cap} < ${base})`,
        params: { whole: true },
      });
    const led = used('pins.led', raw);
    if (led === used('pins.button', raw))
      ctx.addIssue({
        code: 'custom',
        path: ['pins', 'led'],
        message: `pins.button and pins.led must differ (both ${led})`,
        params: { whole: true },
      });
  }, { when: (payload) => isObj(payload.value) })
  .transform((c) => {
    const d = c as unknown as Config;
    return { ...d, mqtt: { ...d.mqtt, clientId: d.mqtt.clientId ?? d.thing } };
  }) as unknown as z.ZodType<DeviceConfig, DeviceConfigInput>;

/** The defaults alone (no mqtt.clientId: it follows the thing name). */
export const defaults = configDefaults() as Omit<DeviceConfig, 'mqtt'> & { mqtt: Omit<DeviceConfig['mqtt'], 'clientId'> };

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The full config the device runs with (defaults filled in, mqtt.clientId resolved): the firmware's own type. */
export type DeviceConfig = Config;
/** What may be written to config.json: any subset of the fields. */
export type DeviceConfigInput = DeepPartial<Config>;

export type ParseResult = { ok: true; config: DeviceConfig; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

const fix = '; fix it in the device config and run npm run provision again';

// Shows the offending value; secrets only by length or type, since these lines reach terminals and logs.
function got(key: string, v: unknown): string {
  if (key === 'password' || key === 'secret') return typeof v === 'string' ? `${v.length} characters` : v === null ? 'null' : typeof v;
  let s: string;
  try {
    s = typeof v === 'number' ? String(v) : String(JSON.stringify(v));
  } catch {
    s = typeof v; // circular or unserialisable
  }
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function at(raw: unknown, path: PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Keys of `raw` no rule knows (zod would drop them silently; a typo deserves a word). */
function unknownKeys(raw: unknown): string[] {
  const out: string[] = [];
  if (!isObj(raw)) return out;
  for (const k of Object.keys(raw)) {
    const group = configRules.some((r) => r.path.startsWith(k + '.'));
    if (!group && (k.includes('.') || !fields.has(k))) {
      out.push(`unknown key ${k} ignored (check its spelling)`);
      continue;
    }
    const sub = raw[k];
    if (!group || !isObj(sub)) continue;
    for (const f of Object.keys(sub)) if (!fields.has(`${k}.${f}`)) out.push(`unknown key ${k}.${f} ignored (check its spelling)`);
  }
  return out;
}

/**
 * Validates a parsed config.json (undefined = no file = all defaults). Errors are one sentence each,
 * naming the field, what is wrong with it and what to do, one per field.
 */
export function parseDeviceConfig(raw: unknown): ParseResult {
  const input = raw === undefined ? {} : raw;
  const warnings = unknownKeys(input);
  const r = configSchema.safeParse(input);
  if (r.success) return { ok: true, config: r.data, warnings };
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const i of r.error.issues) {
    const path = i.path.join('.');
    const whole = i.code === 'custom' && i.params?.whole === true;
    // Several checks of one field failed: one sentence is enough. A pair's sentence is separate.
    const key = whole ? `${path} pair` : path;
    if (seen.has(key)) continue;
    seen.add(key);
    if (whole) errors.push(i.message + fix);
    else {
      const leaf = i.path.length ? String(i.path[i.path.length - 1]) : '';
      errors.push(`${path || 'config.json'} ${i.message} (got ${got(leaf, at(input, i.path))})${fix}`);
    }
  }
  return { ok: false, errors, warnings };
}
