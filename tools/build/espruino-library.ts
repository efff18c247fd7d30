// What Espruino 2v29 (ESP8266 4 MB build) lacks in its built-in library, as tables the gate reads
// and the simulator's realm applies (tools/simulator/realm.ts), so neither keeps its own copy.
// Checked against the JSON blocks of src/jswrap_*.c at tag RELEASE_2V29 (no SAVE_ON_FLASH on that
// build) and probed on the 2v29 interpreter (docs/espruino.md). Syntax lives in espruino-syntax.ts
// and regexes in espruino-regex.ts, not here.

/** Globals that do not exist on the device (or that firmware must not touch), with what to use instead. */
export const missingGlobals: Record<string, string> = {
  Map: 'Espruino has no Map: use a plain object keyed by string, or an array',
  Set: 'Espruino has no Set: use a plain object {key: 1}, or an array',
  WeakMap: 'Espruino has no WeakMap (esbuild emits one for class #private members): use a normal property',
  WeakSet: 'Espruino has no WeakSet (esbuild emits one for class #private methods): use a normal method',
  WeakRef: 'Espruino has no WeakRef: keep a normal reference and drop it yourself',
  FinalizationRegistry: 'Espruino has no FinalizationRegistry: release resources explicitly',
  Symbol: 'Espruino has no Symbol: use string keys',
  Proxy: 'Espruino has no Proxy: call the object directly',
  Reflect: 'Espruino has no Reflect: use Object.* or call the function directly',
  globalThis: 'firmware must not reach into the global scope (its own top-level names live there, minified): pass what you need as arguments',
  process: 'Espruino has only process.memory() and process.env',
  Buffer: 'Espruino has no Buffer: use strings (one char a byte) or Uint8Array',
  module: 'CommonJS exports do not exist on the device: the firmware entry must export nothing',
  exports: 'CommonJS exports do not exist on the device: the firmware entry must export nothing',
  __dirname: 'there are no file paths on the device',
  __filename: 'there are no file paths on the device',
  Intl: 'Espruino has no Intl: format numbers and dates by hand',
  queueMicrotask: 'Espruino has no queueMicrotask: schedule through the Clock port (after(0, fn))',
  setImmediate: 'Espruino has no setImmediate: schedule through the Clock port (after(0, fn))',
  structuredClone: 'Espruino has no structuredClone: copy the fields you need',
  TextEncoder: 'Espruino has no TextEncoder: strings are already bytes (one char a byte)',
  TextDecoder: 'Espruino has no TextDecoder: strings are already bytes (one char a byte)',
  fetch: 'Espruino has no fetch: use the Socket port',
  BigInt: 'Espruino has no BigInt: use numbers',
  RangeError: 'Espruino 2v29 has only Error, TypeError, SyntaxError, ReferenceError, InternalError: throw new Error(...)',
  URIError: 'Espruino 2v29 has only Error, TypeError, SyntaxError, ReferenceError, InternalError: throw new Error(...)',
  EvalError: 'Espruino 2v29 has only Error, TypeError, SyntaxError, ReferenceError, InternalError: throw new Error(...)',
  AggregateError: 'Espruino 2v29 has only Error, TypeError, SyntaxError, ReferenceError, InternalError: throw new Error(...)',
  SharedArrayBuffer: 'Espruino has no SharedArrayBuffer: use ArrayBuffer',
  Atomics: 'Espruino has no Atomics: the device is single-threaded',
  BigInt64Array: 'Espruino has no BigInt64Array: use Int32Array pairs',
  BigUint64Array: 'Espruino has no BigUint64Array: use Uint32Array pairs',
  WebAssembly: 'Espruino has no WebAssembly: write it in JavaScript (or as Espruino inline C)',
  escape: 'Espruino has no escape: encode the bytes yourself',
  unescape: 'Espruino has no unescape: decode the bytes yourself',
};

/**
 * Names in missingGlobals that do exist on 2v29 (checked on the interpreter) but that firmware must
 * not use: the simulator keeps them, the gate still refuses them in the bundle.
 */
export const presentButRefused = ['globalThis', 'process'];

/** The only `process.*` members firmware may read. */
export const processMembers = ['memory', 'env'];

/** Error classes that exist; `class X extends` one of them breaks `instanceof` on the device. */
export const errorClasses = ['Error', 'TypeError', 'SyntaxError', 'ReferenceError', 'InternalError'];

// Every constructor is a function, so these are there on all of them.
export const functionMembers = ['prototype', 'call', 'apply', 'bind', 'length', 'hasOwnProperty', 'toString', 'valueOf'];

/** Static members that exist on built-in constructors; any other `X.y` on these is undefined on the device. */
export const builtinStatics: Record<string, string[]> = {
  Object: ['assign', 'create', 'defineProperties', 'defineProperty', 'entries', 'fromEntries', 'getOwnPropertyDescriptor',
    'getOwnPropertyDescriptors', 'getOwnPropertyNames', 'getPrototypeOf', 'keys', 'setPrototypeOf', 'values'],
  Number: ['MAX_VALUE', 'MIN_VALUE', 'NEGATIVE_INFINITY', 'NaN', 'POSITIVE_INFINITY'],
  Math: ['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'clip', 'cos', 'exp', 'floor', 'log', 'max', 'min', 'pow',
    'randInt', 'random', 'round', 'sign', 'sin', 'sqrt', 'tan', 'wrap', 'E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI',
    'SQRT1_2', 'SQRT2'],
  Array: ['isArray'],
  Promise: ['all', 'reject', 'resolve'],
  String: ['fromCharCode'],
  JSON: ['parse', 'stringify'],
  Date: ['now', 'parse'],
};

/** What to say about a missing static, where there is something better than "not available". */
const staticAdvice: Record<string, string> = {
  'Array.from': 'build the array with a for loop, or [].slice.call(x)',
  'Array.of': 'write an array literal',
  'Object.freeze': 'drop the freeze (nothing else writes it)',
  'Object.getOwnPropertySymbols': 'esbuild emits this for object spread {...x}: use Object.assign({}, x)',
  'Object.is': 'compare with === (and x !== x for NaN)',
  'Number.isInteger': 'use (x | 0) === x, or Math.floor(x) === x',
  'Number.isNaN': 'use x !== x, or the global isNaN',
  'Number.isFinite': 'use the global isFinite',
  'Number.parseInt': 'use the global parseInt',
  'Number.parseFloat': 'use the global parseFloat',
  'Math.trunc': 'use x < 0 ? Math.ceil(x) : Math.floor(x), or x | 0 for 32-bit values',
  'Math.hypot': 'use Math.sqrt(a*a + b*b)',
  'Math.log2': 'use Math.log(x) / Math.LN2',
  'Math.log10': 'use Math.log(x) / Math.LN10',
  'Promise.race': 'settle a shared flag in each then()',
  'Promise.allSettled': 'catch each promise before Promise.all',
  'Promise.any': 'settle a shared flag in each then()',
  'String.raw': 'write the string with escapes',
  'Date.UTC': 'compute the epoch milliseconds by hand',
};

export function staticExists(object: string, member: string): boolean {
  const members = builtinStatics[object];
  return members === undefined || members.includes(member) || functionMembers.includes(member);
}

export function staticAdviceFor(object: string, member: string): string {
  const name = `${object}.${member}`;
  const advice = staticAdvice[name];
  return `${name} does not exist on Espruino 2v29${advice ? `: ${advice}` : ''}`;
}

/** Prototype methods no Espruino built-in has at all, so a call by this name fails whatever the receiver. */
export const missingMethods: Record<string, string> = {
  finally: 'Promise has no finally on Espruino: run the cleanup in both then() and catch()',
  flat: 'Array has no flat: concat the parts in a loop',
  flatMap: 'Array has no flatMap: push the mapped parts in a loop',
  at: 'no .at(): index with x[i] (x[x.length - 1] for the last)',
  findLast: 'Array has no findLast: loop down from the end',
  findLastIndex: 'Array has no findLastIndex: loop down from the end',
  reduceRight: 'Array has no reduceRight: loop down from the end',
  copyWithin: 'Array has no copyWithin: copy in a loop',
  toSorted: 'Array has no toSorted: slice() then sort()',
  toReversed: 'Array has no toReversed: slice() then reverse()',
  toSpliced: 'Array has no toSpliced: slice() then splice()',
  trimStart: 'String has no trimStart: use trim() or a loop',
  trimEnd: 'String has no trimEnd: use trim() or a loop',
  codePointAt: 'String has no codePointAt: use charCodeAt (strings are bytes)',
  normalize: 'String has no normalize: strings are bytes',
  localeCompare: 'String has no localeCompare: compare with < and >',
  matchAll: 'String has no matchAll: loop with a /g regex and exec()',
};

/**
 * String methods whose 2v29 search goes wrong with a needle of 2+ characters when a prefix of the
 * needle ends the string ("abc".indexOf("cd") === 2). replaceAll shares replace's search.
 */
export const brokenNeedleMethods: Record<string, string> = {
  indexOf: 'use findText(hay, needle) from firmware/core/text.ts',
  includes: 'use hasText(hay, needle) from firmware/core/text.ts',
  replace: 'find the position with findText from firmware/core/text.ts and slice, or use a RegExp',
  replaceAll: 'loop with findText from firmware/core/text.ts and slice, or use a /g RegExp',
};
