// Host-side twin of firmware/core/config.ts: the zod schema of a device's config.json (a partial
// override of config/defaults.json) and a parser that gives one sentence per bad field.
// It reads and writes no files. Written independently of the firmware validator on purpose;
// test/config/schema-parity.test.ts proves both accept and reject the same configs.
import { z } from 'zod';
import defaults from './defaults.json';

const d = defaults;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Each rule carries one message for every way the value can be wrong, so an error reads the
// same whichever check caught it, and the same as the device's log line.
function int(a: number, b: number) {
  const m = `must be an integer ${a}..${b}`;
  // Number.isInteger as a refinement, not .int(): .int() aborts the parse, which would hide the
  // pair checks below, and the device reports those alongside any other error.
  return z.number({ error: m }).min(a, { error: m }).max(b, { error: m }).refine(Number.isInteger, { error: m });
}

function str(a: number, b: number, m = `must be a string of ${a}..${b} characters`) {
  return z.string({ error: m }).min(a, { error: m }).max(b, { error: m });
}

const thingMsg = 'must be 1..128 characters of A-Z a-z 0-9 : _ -';
const topicMsg = 'must be 1..64 characters with no + or # and no / at either end';
const boolMsg = 'must be true or false';
const healthMsg = 'must be 0 (off) or an integer 5..3600';
const maintenanceMsg = 'must be 0 (off) or an integer 60..3600';

/** Why `v` cannot be the button's (`B`) or the LED's (`L`) pin, or '' if it can. ESP8266 GPIOn is Espruino's Dn. */
function pinProblem(v: string, use: 'B' | 'L'): string {
  const m = /^D(\d+)$/.exec(v);
  const n = m && String(Number(m[1])) === m[1] ? Number(m[1]) : -1;
  if (n < 0 || n > 16) return 'must be a pin name D0..D16';
  if (n >= 6 && n <= 11) return 'may not be D6..D11 (flash chip pins)';
  if (use === 'B' && n === 16) return 'may not be D16 (it cannot be watched)';
  if (use === 'L' && n === 0) return 'may not be D0 (the FLASH button)';
  return '';
}

function pin(use: 'B' | 'L', dflt: string) {
  return z
    .string({ error: 'must be a pin name D0..D16' })
    .superRefine((v, ctx) => {
      const why = pinProblem(v, use);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .default(dflt);
}

function group<S extends z.ZodRawShape>(shape: S) {
  // prefault: a missing group is parsed as {} so its fields get their own defaults.
  const o = z.object(shape, { error: 'must be an object' });
  return o.prefault({} as z.input<typeof o>);
}

// The fields checked in pairs, named so the pair check can ask whether each is valid alone.
const buttonPin = pin('B', d.pins.button);
const ledPin = pin('L', d.pins.led);
const baseMs = int(100, 60000).default(d.backoff.baseMs);
const capMs = int(1000, 3600000).default(d.backoff.capMs);

/** The value the device ends up using for a field: the given one if valid alone, else the default. */
function used<T>(field: z.ZodType<T>, group: unknown, key: string): T {
  const r = field.safeParse(isObj(group) ? group[key] : undefined);
  return r.success ? r.data : (field.parse(undefined) as T);
}

/** config.json as the device reads it: every field optional, filled from config/defaults.json. */
export const configSchema = z
  .object(
    {
      thing: str(1, 128, thingMsg).regex(/^[A-Za-z0-9:_-]*$/, { error: thingMsg }).default(d.thing),
      wifi: group({
        ssid: str(1, 32).optional(),
        password: str(0, 64).optional(),
        timeoutS: int(5, 300).default(d.wifi.timeoutS),
      }),
      mqtt: group({
        host: str(1, 253).default(d.mqtt.host),
        port: int(1, 65535).default(d.mqtt.port),
        transport: z.enum(['tls', 'tcp'], { error: 'must be "tls" or "tcp"' }).default(d.mqtt.transport as 'tls' | 'tcp'),
        // AWS IoT accepts keepalive 30..1200 s.
        keepaliveS: int(30, 1200).default(d.mqtt.keepaliveS),
        username: str(0, 128).optional(),
        password: str(0, 256).optional(),
        clientId: str(1, 128).optional(),
        topicPrefix: str(1, 64, topicMsg)
          // [MQTT-3.3.2-2] a PUBLISH topic name must not contain wildcards.
          .refine((v) => !/[+#]/.test(v) && !v.startsWith('/') && !v.endsWith('/'), { error: topicMsg })
          .default(d.mqtt.topicPrefix),
      }),
      tls: group({
        // Storage file names are cut silently past 28 characters.
        key: str(1, 28).default(d.tls.key),
        cert: str(1, 28).default(d.tls.cert),
        ca: str(1, 28).default(d.tls.ca),
      }),
      pins: group({
        button: buttonPin,
        led: ledPin,
        buttonActiveLow: z.boolean({ error: boolMsg }).default(d.pins.buttonActiveLow),
        ledActiveLow: z.boolean({ error: boolMsg }).default(d.pins.ledActiveLow),
      }),
      button: group({
        debounceMs: int(0, 500).default(d.button.debounceMs),
        doubleMs: int(100, 2000).default(d.button.doubleMs),
        longMs: int(300, 10000).default(d.button.longMs),
        gestures: z.boolean({ error: boolMsg }).default(d.button.gestures),
      }),
      outbox: group({
        max: int(1, 500).default(d.outbox.max),
        ttlH: int(1, 720).default(d.outbox.ttlH),
      }),
      backoff: group({
        baseMs,
        capMs,
      }),
      healthS: z
        .number({ error: healthMsg })
        .refine((v) => Number.isInteger(v) && (v === 0 || (v >= 5 && v <= 3600)), { error: healthMsg })
        .default(d.healthS),
      gateway: group({
        secret: str(1, 128).optional(),
      }),
      maintenanceS: z
        .number({ error: maintenanceMsg })
        .refine((v) => Number.isInteger(v) && (v === 0 || (v >= 60 && v <= 3600)), { error: maintenanceMsg })
        .default(d.maintenanceS),
    },
    { error: 'must hold a JSON object' },
  )
  // Pairs that are each valid but wrong together, judged on the values the device would use
  // (a field that is bad alone already has its own error and falls back to its default).
  // `when`: run even if other fields failed (zod skips by default), as the device checks pairs regardless.
  // `whole`: the message is already a full sentence.
  .superRefine((c, ctx) => {
    const base = used(baseMs, c.backoff, 'baseMs');
    const cap = used(capMs, c.backoff, 'capMs');
    if (cap < base)
      ctx.addIssue({
        code: 'custom',
        path: ['backoff', 'capMs'],
        message: `backoff.capMs must be >= backoff.baseMs (got ${cap} < ${base})`,
        params: { whole: true },
      });
    const led = used(ledPin, c.pins, 'led');
    if (led === used(buttonPin, c.pins, 'button'))
      ctx.addIssue({
        code: 'custom',
        path: ['pins', 'led'],
        message: `pins.button and pins.led must differ (both ${led})`,
        params: { whole: true },
      });
  }, { when: (payload) => isObj(payload.value) })
  .transform((c) => ({ ...c, mqtt: { ...c.mqtt, clientId: c.mqtt.clientId ?? c.thing } }));

/** The full config the device runs with (defaults filled in, mqtt.clientId resolved). */
export type DeviceConfig = z.output<typeof configSchema>;
/** What may be written to config.json: any subset of the fields. */
export type DeviceConfigInput = z.input<typeof configSchema>;

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

/** Keys of `raw` the schema does not know (zod would drop them silently; a typo deserves a word). */
function unknownKeys(raw: unknown): string[] {
  const out: string[] = [];
  if (!isObj(raw)) return out;
  const shape = configSchema.in.shape;
  for (const k of Object.keys(raw)) {
    if (!Object.hasOwn(shape, k)) {
      out.push(`unknown key ${k} ignored (check its spelling)`);
      continue;
    }
    const inner = (shape as Record<string, z.ZodType>)[k];
    const sub = raw[k];
    if (!(inner instanceof z.ZodPrefault) || !isObj(sub)) continue;
    const fields = (inner.unwrap() as z.ZodObject).shape;
    for (const f of Object.keys(sub)) if (!Object.hasOwn(fields, f)) out.push(`unknown key ${k}.${f} ignored (check its spelling)`);
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
