// The device config's rules: one row per config.json field with its kind, range and default. The one
// place they are written: the zod schema (schema.ts), the defaults, the device's validator table
// (the build injects ruleTable() into firmware/core/config.ts as a string literal, so it stays in
// flash) and the parity test all come from here. Cross-field rules (backoff cap >= base, button and
// LED on different pins) are code, in schema.ts and firmware/core/config.ts.
import { Topic, TopicPrefix } from '../firmware/core/wire-contract';

/**
 * int: integer min..max | intOrOff: 0 (off) or integer min..max | string: min..max characters |
 * name: the same, of A-Z a-z 0-9 : _ - | topicPrefix: the wire contract's prefix rule | bool |
 * oneOf: one of `words` | pin: D0..D16 as the `use` (button or LED) allows.
 */
export type RuleKind = 'int' | 'intOrOff' | 'string' | 'name' | 'topicPrefix' | 'bool' | 'oneOf' | 'pin';

export interface Rule {
  /** `field` or `group.field`. */
  path: string;
  kind: RuleKind;
  /** Absent: no default (the field is optional). */
  default?: string | number | boolean;
  min?: number;
  max?: number;
  words?: string[];
  /** For pins: the button (no D16: it cannot be watched) or the LED (no D0: the FLASH button). */
  use?: 'button' | 'led';
}

export const configRules: Rule[] = [
  // A thing name becomes the MQTT client id and part of every topic.
  { path: 'thing', kind: 'name', default: 'nodemcu-button', min: 1, max: 128 },
  { path: 'wifi.ssid', kind: 'string', min: 1, max: 32 },
  { path: 'wifi.password', kind: 'string', min: 0, max: 64 },
  { path: 'wifi.timeoutS', kind: 'int', default: 20, min: 5, max: 300 },
  { path: 'mqtt.host', kind: 'string', default: 'localhost', min: 1, max: 253 },
  { path: 'mqtt.port', kind: 'int', default: 8883, min: 1, max: 65535 },
  { path: 'mqtt.transport', kind: 'oneOf', default: 'tls', words: ['tls', 'tcp'] },
  // AWS IoT accepts keepalive 30..1200 s.
  { path: 'mqtt.keepaliveS', kind: 'int', default: 60, min: 30, max: 1200 },
  { path: 'mqtt.username', kind: 'string', min: 0, max: 128 },
  { path: 'mqtt.password', kind: 'string', min: 0, max: 256 },
  { path: 'mqtt.clientId', kind: 'string', min: 1, max: 128 },
  { path: 'mqtt.topicPrefix', kind: 'topicPrefix', default: Topic.DefaultPrefix, min: TopicPrefix.MinLength, max: TopicPrefix.MaxLength },
  // Storage file names are cut silently past 28 characters.
  { path: 'tls.key', kind: 'string', default: 'key.der', min: 1, max: 28 },
  { path: 'tls.cert', kind: 'string', default: 'cert.der', min: 1, max: 28 },
  { path: 'tls.ca', kind: 'string', default: 'ca.der', min: 1, max: 28 },
  { path: 'pins.button', kind: 'pin', default: 'D0', use: 'button' },
  { path: 'pins.led', kind: 'pin', default: 'D2', use: 'led' },
  { path: 'pins.buttonActiveLow', kind: 'bool', default: true },
  { path: 'pins.ledActiveLow', kind: 'bool', default: true },
  { path: 'button.debounceMs', kind: 'int', default: 50, min: 0, max: 500 },
  { path: 'button.doubleMs', kind: 'int', default: 400, min: 100, max: 2000 },
  { path: 'button.longMs', kind: 'int', default: 1500, min: 300, max: 10000 },
  { path: 'button.gestures', kind: 'bool', default: true },
  { path: 'outbox.max', kind: 'int', default: 50, min: 1, max: 500 },
  { path: 'outbox.ttlH', kind: 'int', default: 24, min: 1, max: 720 },
  { path: 'backoff.baseMs', kind: 'int', default: 1000, min: 100, max: 60000 },
  { path: 'backoff.capMs', kind: 'int', default: 60000, min: 1000, max: 3600000 },
  { path: 'healthS', kind: 'intOrOff', default: 30, min: 5, max: 3600 },
  { path: 'gateway.secret', kind: 'string', min: 1, max: 128 },
  // Seconds a 10 s button hold opens the LAN console for (maintenance mode); 0 = never.
  { path: 'maintenanceS', kind: 'intOrOff', default: 600, min: 60, max: 3600 },
];

/** The groups config.json may hold, in order (each an object of fields). */
export const configGroups = [...new Set(configRules.filter((r) => r.path.includes('.')).map((r) => r.path.split('.')[0]))];

/** What a bad value of the row "must be" (or "may not be", for pins), worded as the device logs it. */
export function ruleText(r: Rule): string {
  const range = `${r.min}..${r.max}`;
  switch (r.kind) {
    case 'int':
      return `must be an integer ${range}`;
    case 'intOrOff':
      return `must be 0 (off) or an integer ${range}`;
    case 'string':
      return `must be a string of ${range} characters`;
    case 'name':
      return `must be ${range} characters of A-Z a-z 0-9 : _ -`;
    case 'topicPrefix':
      return `must be ${range} characters with no + or # and no / at either end`;
    case 'bool':
      return 'must be true or false';
    case 'oneOf':
      return `must be "${r.words!.join('" or "')}"`;
    case 'pin':
      return 'must be a pin name D0..D16';
  }
}

// The device's letters for the kinds (firmware/core/config.ts reads them).
const LETTER: Record<RuleKind, string> = { int: 'i', intOrOff: 'z', string: 's', name: 'n', topicPrefix: 't', bool: 'b', oneOf: 'e', pin: 'p' };

/**
 * The rules as the device reads them: one line per row, `path kind default args`, `-` for no
 * default; args are min max, the words, or B/L for a pin. Short on purpose: it is bundle bytes.
 */
export function ruleTable(rules: Rule[] = configRules): string {
  return rules
    .map((r) => {
      const args = r.kind === 'oneOf' ? r.words!.join(' ') : r.kind === 'pin' ? (r.use === 'button' ? 'B' : 'L') : r.kind === 'bool' ? '' : `${r.min} ${r.max}`;
      return `${r.path} ${LETTER[r.kind]} ${r.default === undefined ? '-' : String(r.default)}${args ? ' ' + args : ''}`;
    })
    .join('\n');
}

/** The defaults as a config object (groups always present, fields without a default left out). */
export function configDefaults(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const r of configRules) {
    const [g, f] = r.path.split('.');
    if (f !== undefined) out[g] ??= {};
    if (r.default === undefined) continue;
    if (f === undefined) out[g] = r.default;
    else out[g][f] = r.default;
  }
  return out;
}
