// Formats values the way Espruino's console prints them: the REPL's `=result` and print/console.log
// arguments, through espruino-json.ts with the flags each uses (jsinteractive.c, jsutils.c %j).
import { espruinoJson, PRINT_FLAGS, REPL_FLAGS } from './espruino-json';

export interface PrintOptions {
  /** Returns "D2" for pin objects. */
  pinName?: (v: unknown) => string | undefined;
  /** The device's global object: instances of its constructors print as "Name: ...". */
  globals?: Record<string, unknown>;
}

function globalNamer(globals: Record<string, unknown> | undefined): (ctor: unknown) => string | undefined {
  return (ctor) => {
    if (!globals || typeof ctor !== 'function') return undefined;
    for (const k of Object.getOwnPropertyNames(globals)) {
      const d = Object.getOwnPropertyDescriptor(globals, k);
      if (d && 'value' in d && d.value === ctor) return k;
    }
    return undefined;
  };
}

/** The REPL's `=result`: unquoted keys, long arrays and strings shortened, constructor names shown. */
export function formatValue(v: unknown, opts: PrintOptions = {}): string {
  return espruinoJson(v, { ...REPL_FLAGS, pinName: opts.pinName, globalName: globalNamer(opts.globals) });
}

/** console.log/print: strings as they are, everything else formatted, joined by spaces. */
export function formatArgs(args: unknown[], opts: PrintOptions = {}): string {
  return args.map((a) => (typeof a === 'string' ? a : espruinoJson(a, { ...PRINT_FLAGS, pinName: opts.pinName }))).join(' ');
}
