// Formats values the way Espruino's console prints them (jsfPrintJSON with JSON_PRETTY, single
// line): `{ "a": 1, "b": [ 1, 2 ] }`, and `{ a: 1 }` for REPL results (JSON_DROP_QUOTES).
// An approximation: no line wrapping for large objects, no Espruino float formatting.

export interface PrintOptions {
  /** Unquoted keys, as the REPL's `=result` line prints them. */
  dropQuotes?: boolean;
  /** Returns "D2" for pin objects. */
  pinName?: (v: unknown) => string | undefined;
}

const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || (c > 126 && c < 256)) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export function formatValue(v: unknown, opts: PrintOptions = {}, seen: unknown[] = []): string {
  const pin = opts.pinName?.(v);
  if (pin) return pin;
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') {
    const src = Function.prototype.toString.call(v);
    return src.startsWith('class') || src.startsWith('function') ? src : 'function () { ... }';
  }
  if (typeof v !== 'object') return String(v);
  if (seen.includes(v)) return '{ ... }';
  seen.push(v);
  try {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === 'Error' || typeof (v as { message?: unknown }).message === 'string' && 'stack' in (v as object)) return String(v);
    if (tag === 'Date') return 'Date: ' + (v as Date).toString();
    if (tag === 'ArrayBuffer') return `new ArrayBuffer(${(v as ArrayBuffer).byteLength})`;
    if (ArrayBuffer.isView(v)) return `new ${tag}([${Array.prototype.join.call(v as unknown as ArrayLike<number>, ', ')}])`;
    if (Array.isArray(v)) {
      if (!v.length) return '[ ]';
      return '[ ' + v.map((x) => formatValue(x, opts, seen)).join(', ') + ' ]';
    }
    const keys = Object.keys(v as object);
    if (!keys.length) return '{ }';
    const parts = keys.map((k) => {
      const name = opts.dropQuotes && ident.test(k) ? k : quote(k);
      return `${name}: ${formatValue((v as Record<string, unknown>)[k], opts, seen)}`;
    });
    return '{ ' + parts.join(', ') + ' }';
  } finally {
    seen.pop();
  }
}

/** console.log/print: strings as they are, everything else formatted, joined by spaces. */
export function formatArgs(args: unknown[], opts: PrintOptions = {}): string {
  return args.map((a) => (typeof a === 'string' ? a : formatValue(a, opts))).join(' ');
}
