// The JavaScript world of one power-on: a vm context stripped to what Espruino 2v29 offers,
// with Espruino's event methods on Object.prototype and its known String bugs reproduced.
// It cannot reproduce the interpreter's parsing traps (hoisting, `for (let...)` closures).
import crypto from 'node:crypto';
import vm from 'node:vm';
import { builtinStatics, missingGlobals, missingMethods, presentButRefused, staticExists } from '../build/espruino-library';
import { espruinoJson, STRINGIFY_FLAGS } from './espruino-json';
import { espruinoNumber, espruinoToFixed } from './espruino-number';

type Ctor = new (...args: any[]) => any;

export interface Intrinsics {
  Object: Ctor & ObjectConstructor;
  Array: ArrayConstructor;
  InternalError: ErrorConstructor;
  ArrayBuffer: ArrayBufferConstructor;
  Uint8Array: Uint8ArrayConstructor;
  JSON: JSON;
}

// 2v29 has no RangeError (checked on the interpreter; tools/build/espruino-library.ts).
export type ErrorKind = 'Error' | 'TypeError' | 'InternalError' | 'ReferenceError' | 'SyntaxError';

export interface RealmHooks {
  /** Queue a call for the device's event loop (Espruino's jsiQueueEvents). */
  queue(thisArg: unknown, fn: unknown, args: unknown[]): void;
  /** Milliseconds since the epoch as the device sees it (time since boot until SNTP/setTime). */
  nowMs(): number;
}

/** What the bootstrap reports to the host (not part of RealmHooks: the realm handles it). */
interface BootstrapHost extends RealmHooks {
  rejected(holder: { p?: object }, reason: unknown): void;
  /** Espruino's JSON.stringify text (espruino-json.ts); space as JSON.stringify takes it. */
  stringify(value: unknown, space: unknown): string;
  /** Espruino's number to text (espruino-number.ts). */
  numberText(n: number, radix: number): string;
  toFixed(n: number, digits: number): string;
  /** Set by the bootstrap: promise reactions waiting to run, oldest first (emptied). */
  takeReactions?: () => (() => void)[];
}

export interface Realm {
  readonly context: vm.Context;
  /** The vm context's name, unique per realm (the memory estimate finds it by name). */
  readonly name: string;
  readonly global: Record<string, any>;
  readonly R: Intrinsics;
  run(code: string, filename: string): unknown;
  /** Runs queued promise jobs; call after every host-initiated call into the context. */
  drain(): void;
  error(kind: ErrorKind, message: string): Error;
  /** Deep-copies plain data (objects, arrays, primitives) into this realm. */
  data<T>(value: T): T;
  /** The listeners registered with obj.on(event, ...). */
  listeners(obj: object, event: string): Function[];
  /** Queue obj's listeners for event, as Espruino's internal event sources do. */
  emit(obj: object, event: string, args: unknown[]): void;
  /** Rejections of promises that still have no then/catch; clears the list. */
  takeUnhandled(): unknown[];
  /** Promise reactions queued since the last call, to run as events after the current one. */
  takeReactions(): (() => void)[];
}

// Globals a V8 context has and Espruino 2v29 does not: the build gate's table, less what 2v29 has.
const removedGlobals = Object.keys(missingGlobals).filter((n) => !presentButRefused.includes(n));
// Never removed: V8 needs them on every function, and 2v29 functions have them too.
const functionOwn = ['length', 'name', 'prototype', 'caller', 'arguments'];

/** Removes what the gate's tables say 2v29 lacks: statics outside builtinStatics, methods in missingMethods. */
function pruneLibrary(g: Record<string, any>): void {
  const stop = new Set<unknown>([g.Function.prototype, g.Object.prototype, null]);
  for (const name of Object.keys(builtinStatics)) {
    // Up the chain too: the simulator's Promise inherits V8's statics.
    for (let holder = g[name]; !stop.has(holder); holder = Object.getPrototypeOf(holder)) {
      for (const k of Object.getOwnPropertyNames(holder)) {
        // V8's Number.EPSILON and *_SAFE_INTEGER cannot be deleted; the gate refuses them in the bundle.
        if (!functionOwn.includes(k) && !staticExists(name, k) && Object.getOwnPropertyDescriptor(holder, k)!.configurable) delete holder[k];
      }
    }
  }
  const protos = [g.Array.prototype, g.String.prototype, g.Promise.prototype, Object.getPrototypeOf(g.Promise.prototype)];
  for (const p of protos) for (const m of Object.keys(missingMethods)) if (Object.prototype.hasOwnProperty.call(p, m)) delete p[m];
}

// Everything below runs inside the context, once, before any device code.
const bootstrap = `(function (host) {
  'use strict';
  var G = this;
  var OP = Object.prototype, SP = String.prototype, AP = Array.prototype;
  var def = function (o, k, v) { Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false }); };

  // Espruino has InternalError; its errors have no .name (docs/espruino.md), but print as "Kind: msg".
  function InternalError(message) {
    if (!(this instanceof InternalError)) return new InternalError(message);
    if (message !== undefined) def(this, 'message', String(message));
  }
  InternalError.prototype = Object.create(Error.prototype);
  def(InternalError.prototype, 'constructor', InternalError);
  def(G, 'InternalError', InternalError);
  [['Error', Error], ['TypeError', TypeError], ['ReferenceError', ReferenceError], ['SyntaxError', SyntaxError],
   ['InternalError', InternalError]].forEach(function (p) {
    var label = p[0], proto = p[1].prototype;
    delete proto.name;
    def(proto, 'toString', function () { return this.message ? label + ': ' + this.message : label; });
  });

  // Espruino's EventEmitter lives on Object.prototype; emit() queues, it does not call now.
  var key = function (e) { return '#on' + e; };
  var on = function (first) {
    return function (event, listener) {
      if (typeof event !== 'string') throw new TypeError('First argument must be String');
      if (typeof listener !== 'function' && typeof listener !== 'string') throw new TypeError('Second argument must be a function or a String');
      var old = OP.hasOwnProperty.call(this, key(event)) ? this[key(event)] : [];
      def(this, key(event), first ? [listener].concat(old) : old.concat([listener]));
    };
  };
  def(OP, 'on', on(false));
  def(OP, 'addListener', on(false));
  def(OP, 'prependListener', on(true));
  def(OP, 'emit', function (event) {
    if (typeof event !== 'string') throw new TypeError('First argument must be String');
    var list = this[key(event)], args = AP.slice.call(arguments, 1);
    if (args.length > 4) throw new TypeError('Too many arguments (>4)');
    if (list) host.queue(this, list, args);
  });
  def(OP, 'removeListener', function (event, listener) {
    var list = this[key(event)];
    if (!list) return;
    var rest = list.filter(function (l) { return l !== listener; });
    if (rest.length) def(this, key(event), rest); else delete this[key(event)];
  });
  def(OP, 'removeAllListeners', function (event) {
    var self = this;
    if (event === undefined) Object.getOwnPropertyNames(self).forEach(function (k) { if (k.slice(0, 3) === '#on') delete self[k]; });
    else delete self[key(event)];
  });

  // 2v29 String search: a needle whose prefix ends the haystack "matches" (jswrap_string.c
  // jswrap_string_indexOf compares with equalAtEndOfString=true and runs to the string's end).
  var nativeIndexOf = SP.indexOf, nativeReplace = SP.replace, nativeMatch = SP.match;
  var buggyIndexOf = function (str, sub, from) {
    sub = String(sub);
    if (sub.length > str.length) return -1;
    var idx = from === undefined ? 0 : Math.floor(Number(from)) || 0;
    if (idx < 0) idx = 0;
    if (idx > str.length - sub.length + 1) idx = str.length - sub.length + 1;
    for (; idx < str.length; idx++) {
      var n = Math.min(sub.length, str.length - idx), ok = true;
      for (var j = 0; j < n && ok; j++) if (str.charCodeAt(idx + j) !== sub.charCodeAt(j)) ok = false;
      if (ok) return idx;
    }
    return -1;
  };
  def(SP, 'indexOf', function (sub, from) { return buggyIndexOf(String(this), sub, from); });
  def(SP, 'includes', function (sub, from) { return buggyIndexOf(String(this), sub, from) >= 0; });
  var replaceWith = function (all) {
    return function (pat, rep) {
      if (typeof pat !== 'string' || typeof rep !== 'string') return all ? nativeReplace.call(this, pat instanceof RegExp ? pat : new RegExp(nativeReplace.call(String(pat), /[.*+?^$()|[\\]\\\\{}]/g, '\\\\$&'), 'g'), rep) : nativeReplace.call(this, pat, rep);
      var str = String(this), idx = buggyIndexOf(str, pat);
      while (idx >= 0) {
        str = str.slice(0, idx) + rep + str.slice(idx + pat.length);
        idx = all ? buggyIndexOf(str, pat, idx + rep.length) : -1;
      }
      return str;
    };
  };
  def(SP, 'replace', replaceWith(false));
  def(SP, 'replaceAll', replaceWith(true));
  def(SP, 'match', function (pat) {
    if (typeof pat !== 'string') return nativeMatch.call(this, pat);
    var idx = buggyIndexOf(String(this), pat);
    if (idx < 0) return null;
    var m = [pat]; m.index = idx; m.input = String(this);
    return m;
  });

  // Promise rejections nobody handles are reported after the event (jswrap_promise.c raises
  // "Unhandled promise rejection"). A promise counts as handled once anything calls then/catch.
  var RP = Promise, construct = Reflect.construct, HANDLED = '\u0001handled', internal = false;
  var noop = function () {};
  function SimPromise(executor) {
    var holder = {};
    var reject2 = function (r, rej) { rej(r); host.rejected(holder, r); };
    var p = construct(RP, [function (res, rej) {
      try { executor(res, function (r) { reject2(r, rej); }); } catch (e) { reject2(e, rej); }
    }], new.target || SimPromise);
    holder.p = p;
    // a silent native handler, so V8/Node never see these rejections; we report them ourselves
    if (!internal) {
      internal = true;
      try { RP.prototype.then.call(p, undefined, noop); } finally { internal = false; }
    }
    return p;
  }
  Object.setPrototypeOf(SimPromise, RP);
  SimPromise.prototype = Object.create(RP.prototype);
  def(SimPromise.prototype, 'constructor', SimPromise);
  // Espruino queues a promise's reactions as events (jswrap_promise.c jsiQueueEvents): they run after
  // the current event, after the REPL has printed its =result. V8 would run them as microtasks at
  // once, so each reaction only queues itself here, and the runner runs the queue after the event.
  var reactions = [];
  var deferred = function (f) {
    if (typeof f !== 'function') return f;
    return function (v) {
      return new RP(function (res, rej) {
        reactions.push(function () {
          try { res(f(v)); } catch (e) { rej(e); }
        });
      });
    };
  };
  host.takeReactions = function () { return reactions.splice(0); };
  def(SimPromise.prototype, 'then', function (a, b) {
    def(this, HANDLED, true);
    return RP.prototype.then.call(this, deferred(a), deferred(b));
  });
  def(G, 'Promise', SimPromise);

  // Missing methods and statics are removed by the host afterwards, from the build gate's tables.

  // Date: time since boot until the clock is set (SNTP or setTime), as Espruino does.
  var RealDate = Date;
  var SimDate = function Date(a, b, c, d, e, f, g) {
    var n = arguments.length;
    if (!(this instanceof SimDate)) return new RealDate(host.nowMs()).toString();
    var r = n === 0 ? new RealDate(host.nowMs()) : n === 1 ? new RealDate(a) : new RealDate(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0);
    Object.setPrototypeOf(r, SimDate.prototype);
    return r;
  };
  SimDate.prototype = RealDate.prototype;
  SimDate.now = function () { return host.nowMs(); };
  SimDate.parse = RealDate.parse;
  SimDate.UTC = RealDate.UTC;
  def(RealDate.prototype, 'constructor', SimDate);
  def(G, 'Date', SimDate);
  // Espruino's JSON.stringify answers a string for every value: undefined is "null" and a function
  // "undefined", array holes and functions in arrays too (recorded on 2v29); replacers are ignored.
  def(JSON, 'stringify', function (value, replacer, space) { return host.stringify(value, space); });

  // Numbers as text: Espruino's digits (at most 11 after the point, 1e21 as 10e+20). String(x) and
  // toString are ours; + and template literals stay V8's (the vm gives no hook for them).
  var NP = Number.prototype, nativeNumToString = NP.toString;
  def(NP, 'toString', function (radix) {
    var n = NP.valueOf.call(this);
    return host.numberText(n, radix === undefined ? 10 : Number(radix));
  });
  def(NP, 'toFixed', function (digits) { return host.toFixed(NP.valueOf.call(this), Number(digits) || 0); });
  var NativeString = String;
  var SimString = function String(v) {
    var s = arguments.length === 0 ? '' : typeof v === 'number' ? host.numberText(v, 10) : NativeString(v);
    return new.target ? new NativeString(s) : s;
  };
  Object.getOwnPropertyNames(NativeString).forEach(function (k) {
    if (k !== 'prototype' && k !== 'length' && k !== 'name') def(SimString, k, NativeString[k]);
  });
  SimString.prototype = SP;
  def(SP, 'constructor', SimString);
  def(G, 'String', SimString);
  // jswrap_math_round: x +/- 0.5, then toward zero (so -0.5 is -1)
  def(Math, 'round', function (x) { x = Number(x); var y = x + (x < 0 ? -0.5 : 0.5); return isFinite(x) ? (y < 0 ? Math.ceil(y) : Math.floor(y)) : x; });
  // 2v29's Number has MAX_VALUE, MIN_VALUE, NaN and the infinities, not MAX_SAFE_INTEGER, EPSILON or
  // isSafeInteger; V8 will not delete its own, so Number is a wrapper that lacks them
  var NativeNumber = Number;
  var SimNumber = function Number(v) {
    var n = arguments.length === 0 ? 0 : NativeNumber(v);
    return new.target ? new NativeNumber(n) : n;
  };
  Object.getOwnPropertyNames(NativeNumber).forEach(function (k) {
    if (['prototype', 'length', 'name', 'MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER', 'EPSILON', 'isSafeInteger', 'isInteger'].indexOf(k) < 0) def(SimNumber, k, NativeNumber[k]);
  });
  SimNumber.prototype = NP;
  def(NP, 'constructor', SimNumber);
  def(G, 'Number', SimNumber);
  // "a-b-c".split("-", 2): 2v29 ignores the limit
  var nativeSplit = SP.split;
  def(SP, 'split', function (sep) { return nativeSplit.call(this, sep); });
})`;

/** JSON.stringify's third argument as Espruino reads it: up to 10 spaces, or up to 10 characters. */
function jsonSpace(space: unknown): { allNewlines?: boolean; pretty?: boolean; whitespace?: string } {
  let ws = '';
  if (typeof space === 'number') ws = ' '.repeat(Math.max(0, Math.min(10, Math.trunc(space))));
  else if (space !== undefined && space !== null) ws = String(space).slice(0, 10);
  return ws ? { allNewlines: true, pretty: true, whitespace: ws } : {};
}

export function createRealm(hooks: RealmHooks): Realm {
  // unique even across module registries (jest reloads modules per test file in one process)
  const name = `espruino-${crypto.randomUUID()}`;
  const context = vm.createContext({}, { name, codeGeneration: { strings: true, wasm: false }, microtaskMode: 'afterEvaluate' });
  const global = vm.runInContext('this', context) as Record<string, any>;
  const R = vm.runInContext('({Object, Array, ArrayBuffer, Uint8Array, JSON})', context) as Intrinsics;
  const rejections: { holder: { p?: object }; reason: unknown }[] = [];
  const fn = vm.runInContext(bootstrap, context) as (this: unknown, host: BootstrapHost) => void;
  const bootHost: BootstrapHost = {
    ...hooks,
    rejected: (holder, reason) => rejections.push({ holder, reason }),
    stringify: (value, space) => espruinoJson(value, { ...STRINGIFY_FLAGS, ...jsonSpace(space) }),
    numberText: espruinoNumber,
    toFixed: espruinoToFixed,
  };
  fn.call(global, bootHost);
  R.InternalError = global.InternalError;
  const drainScript = new vm.Script('0', { filename: 'drain' });
  for (const name of removedGlobals) delete global[name];
  pruneLibrary(global);

  const realm: Realm = {
    context,
    name,
    global,
    R,
    run(code, filename) {
      return new vm.Script(code, { filename }).runInContext(context);
    },
    drain() {
      drainScript.runInContext(context);
    },
    error(kind, message) {
      const C = (kind === 'InternalError' ? R.InternalError : global[kind]) as ErrorConstructor;
      return new C(message);
    },
    data<T>(value: T): T {
      if (value === null || typeof value !== 'object') return value;
      if (Array.isArray(value)) {
        const a = new R.Array();
        for (const v of value) a.push(realm.data(v));
        return a as T;
      }
      const o = new R.Object();
      for (const [k, v] of Object.entries(value as object)) o[k] = realm.data(v);
      return o as T;
    },
    listeners(obj, event) {
      const list = (obj as Record<string, unknown>)['#on' + event];
      return Array.isArray(list) ? (list as Function[]) : [];
    },
    emit(obj, event, args) {
      const list = realm.listeners(obj, event);
      if (list.length) hooks.queue(obj, list, args);
    },
    takeReactions() {
      return bootHost.takeReactions?.() ?? [];
    },
    takeUnhandled() {
      const out: unknown[] = [];
      for (const r of rejections.splice(0)) if (!(r.holder.p && Object.prototype.hasOwnProperty.call(r.holder.p, '\u0001handled'))) out.push(r.reason);
      return out;
    },
  };
  return realm;
}
