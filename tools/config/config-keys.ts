// The fields `npm run config` reads and changes, named as dotted keys (button.debounceMs), taken
// from config/rules.ts (the one table of config rules) so they cannot drift; how a KEY=VALUE text becomes a JSON value;
// and which keys are identity or secret. Pure: no device, no files.
import { configRules, type Rule } from '../../config/rules';
import { UserError } from '../shared/errors';

/** Changing these would break the identity provision set up (AWS policy, gateway enrolment). */
export const IDENTITY_KEYS = new Set(['thing', 'mqtt.topicPrefix', 'mqtt.transport', 'mqtt.clientId', 'mqtt.username', 'mqtt.password', 'tls.key', 'tls.cert', 'tls.ca', 'gateway.secret']);
/** Never printed: `get` shows whether they are set, not what they are. */
export const SECRET_KEYS = new Set(['wifi.password', 'mqtt.password', 'gateway.secret']);

export interface ConfigKey {
  key: string;
  path: [string] | [string, string];
  rule: Rule;
  /** The JSON type of the field's values: what VALUE text is converted to. */
  kind: 'string' | 'number' | 'boolean';
}

const KIND: Record<Rule['kind'], ConfigKey['kind']> = { int: 'number', intOrOff: 'number', bool: 'boolean', string: 'string', name: 'string', topicPrefix: 'string', oneOf: 'string', pin: 'string' };

/** Every field config.json may hold, in the rule table's order. */
export function configKeys(): ConfigKey[] {
  return configRules.map((rule) => ({ key: rule.path, path: rule.path.split('.') as ConfigKey['path'], rule, kind: KIND[rule.kind] }));
}

export function findKey(key: string): ConfigKey {
  const known = configKeys();
  const k = known.find((c) => c.key === key);
  if (!k) {
    const want = key.toLowerCase();
    const leaf = want.split('.').pop()!;
    const close = key === '' ? [] : known.filter((c) => c.key.toLowerCase().startsWith(want) || c.path[c.path.length - 1].toLowerCase() === leaf);
    throw new UserError(
      `config has no key ${JSON.stringify(key)}${close.length ? `; did you mean ${close.map((c) => c.key).join(' or ')}` : ''}: npm run config -- get lists every key.`,
      'config-key-unknown',
    );
  }
  return k;
}

/** VALUE text as the field's JSON type; text that is not one is kept as text, for the schema to name. */
export function parseValue(k: ConfigKey, text: string): unknown {
  if (k.kind === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (k.kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** The value config.json holds at `path`, or undefined. */
export function valueAt(config: Record<string, unknown> | undefined, path: ConfigKey['path']): unknown {
  const top = config?.[path[0]];
  if (path.length === 1) return top;
  return top !== null && typeof top === 'object' && !Array.isArray(top) ? (top as Record<string, unknown>)[path[1]] : undefined;
}

/** A copy of `config` with `value` at `path` (a group that is missing or not an object is made new). */
export function withValue(config: Record<string, unknown>, path: ConfigKey['path'], value: unknown): Record<string, unknown> {
  if (path.length === 1) return { ...config, [path[0]]: value };
  const g = config[path[0]];
  const group = g !== null && typeof g === 'object' && !Array.isArray(g) ? (g as Record<string, unknown>) : {};
  return { ...config, [path[0]]: { ...group, [path[1]]: value } };
}

/** What the device uses when config.json leaves the key out. */
export function defaultOf(k: ConfigKey, config: Record<string, unknown> | undefined): unknown {
  if (k.key === 'mqtt.clientId') return valueAt(config, ['thing']) ?? configRules.find((r) => r.path === 'thing')?.default;
  return k.rule.default;
}

/** One key's line for `get`: secrets only as set or not. */
export function showValue(k: ConfigKey, value: unknown): string {
  if (SECRET_KEYS.has(k.key)) return value === undefined ? '(not set)' : '(secret, set)';
  return value === undefined ? '(not set)' : JSON.stringify(value);
}
