// Espruino 2v29's one writer of values as text (jswrap_json.c jsfGetJSONWithCallback), with the flag
// sets its callers use: the REPL's `=result`, print/console.log, JSON.stringify and E.toJS. It works
// on V8 values, so it cannot know a number was an int or a float, nor a function's tokenised body.
import { espruinoNumber } from './espruino-number';

export interface JsonFlags {
  someNewlines?: boolean;
  allNewlines?: boolean;
  pretty?: boolean;
  /** Shorten long arrays and strings with " ... " (the console only). */
  limit?: boolean;
  ignoreFunctions?: boolean;
  /** Skip undefined members, write null for undefined array items. */
  noUndefined?: boolean;
  arrayBufferAsArray?: boolean;
  showObjectNames?: boolean;
  dropQuotes?: boolean;
  /** \u00XX escapes only (JSON.stringify). */
  unicodeEscape?: boolean;
  noNaN?: boolean;
  allowToJSON?: boolean;
  whitespace?: string;
  /** "D2" for pin objects. */
  pinName?: (v: unknown) => string | undefined;
  /** Names of global constructors, for "Name: " before instances (showObjectNames). */
  globalName?: (ctor: unknown) => string | undefined;
}

export const REPL_FLAGS: JsonFlags = { limit: true, someNewlines: true, pretty: true, showObjectNames: true, dropQuotes: true };
export const PRINT_FLAGS: JsonFlags = { someNewlines: true, pretty: true, allowToJSON: true };
export const STRINGIFY_FLAGS: JsonFlags = { ignoreFunctions: true, noUndefined: true, arrayBufferAsArray: true, unicodeEscape: true, noNaN: true, allowToJSON: true };
export const TOJS_FLAGS: JsonFlags = { dropQuotes: true, noUndefined: true, arrayBufferAsArray: true, allowToJSON: true };

const LIMIT_AMOUNT = 15;
const LIMITED_AMOUNT = 5;
const LIMIT_STRING_AMOUNT = 60;
const LIMITED_STRING_AMOUNT = 27;
const ITEMS_ON_LINE_OBJECT = 4;
const LIMIT_TEXT = ' ... ';
const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** escapeCharacter (jsutils.c): `\n`-style escapes, `\1` for small codes, `\xFF` or `\u00FF`. */
export function espruinoQuote(s: string, json = false): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = s[i];
    if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\v' && !json) out += '\\v';
    else if (c === '\f') out += '\\f';
    else if (c === '\r') out += '\\r';
    else if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (ch < 8 && !json && (next < 48 || next > 55)) out += '\\' + String(ch);
    else if (ch < 32 || ch >= 127) out += json || ch > 255 ? '\\u' + hex(ch, 4) : '\\x' + hex(ch, 2);
    else out += c;
  }
  return out + '"';
}

const isId = (k: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k);
const needsNewLine = (v: unknown): boolean => !(v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean');

/** `function (a,b) { ... }` as the console shows a function: its parameters, and whether it has a body. */
function functionText(fn: Function, limit: boolean): string {
  const src = Function.prototype.toString.call(fn);
  let params = '';
  let body = '';
  if (src.startsWith('class')) {
    const ctor = /constructor\s*\(([^)]*)\)/.exec(src);
    params = ctor ? ctor[1] : '';
    body = ctor || /^class\s+[\w$]*\s*extends\b/.test(src) ? 'x' : '';
  } else {
    const m = /^[^(=]*\(([^)]*)\)|^\s*([\w$]+)\s*=>/.exec(src);
    params = m ? (m[1] ?? m[2] ?? '') : '';
    const open = src.indexOf('{');
    body = open >= 0 ? src.slice(open + 1, src.lastIndexOf('}')).trim() : src.replace(/^[^=]*=>/, '').trim();
    if (src.includes('[native code]')) return `function (${params.replace(/\s+/g, '')}) { [native code] }`;
  }
  const p = params.split(',').map((x) => x.trim()).filter(Boolean).join(',');
  if (!body) return `function (${p}) {}`;
  return limit ? `function (${p}) { ... }` : `function (${p}) {${body}}`;
}

export function espruinoJson(value: unknown, flags: JsonFlags): string {
  const ws = flags.whitespace ?? '  ';
  const seen: unknown[] = [];
  const newLine = (indent: number): string => '\n' + ws.repeat(indent);
  const sep = flags.pretty ? ', ' : ',';

  function write(v: unknown, indent: number, key: string | undefined): string {
    const pin = flags.pinName?.(v);
    if (pin) return flags.unicodeEscape ? espruinoQuote(pin, true) : pin;
    if (v === undefined) return flags.noUndefined ? 'null' : 'undefined';
    if (v === null) return 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return flags.noNaN && !Number.isFinite(v) ? 'null' : espruinoNumber(v);
    if (typeof v === 'string') {
      if (flags.limit && v.length > LIMIT_STRING_AMOUNT) return espruinoQuote(v.slice(0, LIMITED_STRING_AMOUNT)) + LIMIT_TEXT + espruinoQuote(v.slice(-LIMITED_STRING_AMOUNT));
      return espruinoQuote(v, flags.unicodeEscape);
    }
    if (typeof v === 'function') return flags.ignoreFunctions ? 'undefined' : functionText(v, !!flags.limit);
    if (typeof v !== 'object') return String(v);
    if (seen.includes(v)) return LIMIT_TEXT;
    seen.push(v);
    try {
      return writeObject(v as object, indent, key);
    } finally {
      seen.pop();
    }
  }

  function writeObject(v: object, indent: number, key: string | undefined): string {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (Array.isArray(v)) return writeArray(v, indent);
    if (tag === 'ArrayBuffer' || ArrayBuffer.isView(v)) {
      const bytes = tag === 'ArrayBuffer' ? new Uint8Array(v as ArrayBuffer) : (v as unknown as ArrayLike<number>);
      const name = tag === 'ArrayBuffer' ? 'Uint8Array' : tag;
      const items = Array.prototype.map.call(bytes, (x: number) => espruinoNumber(x)) as string[];
      if (!flags.arrayBufferAsArray && items.every((x) => x === '0')) return `new ${tag}(${items.length})`;
      const limited = flags.limit && items.length > LIMIT_AMOUNT;
      let body = '';
      items.forEach((x, i) => {
        if (limited && !(i < LIMITED_AMOUNT || i >= items.length - LIMITED_AMOUNT)) return;
        if (i > 0) body += sep;
        if (limited && i === items.length - LIMITED_AMOUNT) body += LIMIT_TEXT;
        body += x;
      });
      if (flags.arrayBufferAsArray) return `[${body}]`;
      return `new ${name}([${body}])${tag === 'ArrayBuffer' ? '.buffer' : ''}`;
    }
    let prefix = '';
    if (flags.showObjectNames) {
      const proto = Object.getPrototypeOf(v);
      const name = proto && proto !== Object.prototype ? flags.globalName?.(proto.constructor) : undefined;
      if (name && name !== 'Object') {
        prefix = name + ': ';
        const ts = (v as { toString?: unknown }).toString;
        if (typeof ts === 'function' && ts !== Object.prototype.toString && !/^(Promise)$/.test(name)) return prefix + String(ts.call(v));
        if (name === 'Promise') return prefix + '{ state: 0 }';
      }
    }
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (flags.allowToJSON && typeof toJSON === 'function') return write(toJSON.call(v, key ?? ''), indent, undefined);
    return prefix + writeMembers(v, indent);
  }

  function writeMembers(v: object, indent: number): string {
    let out = flags.pretty ? '{ ' : '{';
    let first = true;
    let needNewLine = false;
    let sinceNewLine = 0;
    for (const k of Object.keys(v)) {
      const item = (v as Record<string, unknown>)[k];
      if ((flags.ignoreFunctions && typeof item === 'function') || (flags.noUndefined && item === undefined)) continue;
      const desc = Object.getOwnPropertyDescriptor(v, k);
      if (desc && (desc.get || desc.set)) continue;
      sinceNewLine++;
      if (!first) out += sep;
      let newNeeds = !!flags.someNewlines && needsNewLine(item);
      if (flags.someNewlines && sinceNewLine > ITEMS_ON_LINE_OBJECT) needNewLine = true;
      if (flags.allNewlines) needNewLine = newNeeds = true;
      if (needNewLine || newNeeds) {
        out += newLine(indent + 1);
        needNewLine = false;
        sinceNewLine = 0;
      }
      const quoted = !(flags.dropQuotes && (/^\d+$/.test(k) || (k.length < 63 && isId(k))));
      out += (quoted ? espruinoQuote(k, flags.unicodeEscape) : k) + (flags.pretty ? ': ' : ':');
      first = false;
      out += write(item, indent + 1, k);
      needNewLine = newNeeds;
    }
    if (needNewLine) out += newLine(indent);
    return out + (flags.pretty ? ' }' : '}');
  }

  function writeArray(a: unknown[], indent: number): string {
    const length = a.length;
    const limited = flags.limit && length > LIMIT_AMOUNT;
    let out = flags.pretty ? '[ ' : '[';
    let first = true;
    let needNewLine = false;
    for (let i = 0; i < length; i++) {
      if (limited && !(i < LIMITED_AMOUNT || i >= length - LIMITED_AMOUNT)) continue;
      if (!first) out += sep;
      first = false;
      if (limited && i === length - LIMITED_AMOUNT) out += LIMIT_TEXT;
      const item = a[i];
      let newNeeds = !!flags.someNewlines && needsNewLine(item);
      if (flags.allNewlines) needNewLine = newNeeds = true;
      if (needNewLine || newNeeds) {
        out += newLine(indent + 1);
        needNewLine = false;
      }
      out += i in a ? write(item, indent + 1, String(i)) : flags.noUndefined ? 'null' : 'undefined';
      needNewLine = newNeeds;
    }
    if (needNewLine) out += newLine(indent);
    return out + (flags.pretty ? ' ]' : ']');
  }

  return write(value, 0, undefined);
}
