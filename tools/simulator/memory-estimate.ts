// An ESTIMATE of Espruino JsVars in use, for process.memory() and device.memory(): it prices what the
// device's JavaScript can still reach in 12-byte JsVars, cheaply enough to call from device code
// under the watchdog. Not a measurement; the method and its known errors are described at estimateMemory.
import { openScopeReader, type Scope, type ScopeReader } from './closure-scopes';

export interface MemoryReport {
  free: number;
  usage: number;
  total: number;
  history: number;
  gc: number;
  gctime: number;
  blocksize: number;
  estimate: true;
}

/** The JsVars of the native records the board holds: timers, pin watches and sockets. */
export function nativeRecords(counts: { timers: number; watches: number; sockets: number }): number {
  return counts.timers * NATIVE_RECORD.timer + counts.watches * NATIVE_RECORD.watch + counts.sockets * NATIVE_RECORD.socket;
}

export interface MemoryRoots {
  /** The device context's global object. */
  global: object;
  /** Its vm context name (unique per realm), to find it in the inspector. */
  contextName: string;
  /** Objects the board itself created, with the property names they had before user code ran. */
  builtins: WeakMap<object, Set<string>>;
  /** Callbacks and objects the simulator holds for the device (timers, watches, sockets). */
  held: unknown[];
  /** Fixed extra JsVars for native state (timer/watch records, socket records). */
  extra: number;
  total: number;
}

/** An empty 1600-var boot, measured on the real 2v29 interpreter (docs/espruino.md, Memory). */
const BASELINE = 46;
/**
 * Native records the board keeps outside JavaScript objects, per record: a timer, a pin watch, a
 * socket. Estimates (the interpreter's jsvar layout, src/jstimer.c, network.c), not measurements.
 */
const NATIVE_RECORD = { timer: 6, watch: 10, socket: 14 };
/** A function object with a body, as run from flash: the object and its body's reference into flash (2); plus one a parameter. */
const FUNCTION_OBJECT = 3;
/** A native (host) function: one var, as a jswrap function is. */
const NATIVE_FUNCTION = 1;
/** A native object the device somehow holds (a Node Buffer, socket, ...): a var and its data link. */
const NATIVE_OBJECT = 2;
/** Stop counting past this many times the board's JsVars: the real board died long before. */
const CAP_FACTOR = 4;

const ident = (s: string): boolean => s.length > 0 && !s.startsWith('\u0001');
const nameCost = (name: string): number => 1 + Math.ceil(Math.max(0, name.length - 4) / 8);
const stringCost = (s: string | number): number => 1 + Math.ceil(Math.max(0, (typeof s === 'number' ? s : s.length) - 8) / 8);
// Measured on 2v29 (1600 vars, docs/espruino.md): a name holds an integer of -1024..1023 itself; a
// larger one, a fraction, a boolean (except under an array index), null take a var of their own.
const isPackedInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= -1024 && v <= 1023;
const isIndex = (k: string): boolean => /^\d+$/.test(k);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const isArrayBuffer = (o: object): boolean => {
  try {
    abByteLength.call(o);
    return true;
  } catch {
    return false;
  }
};

/** Functions whose only scope is the global one: a function's scope chain never changes, so ask once. */
const globalOnly = new WeakSet<Function>();

/**
 * Method: walk everything the device's JavaScript can still reach (globals it added, timer and
 * watch callbacks, socket objects, listeners) and price it as src/jsvar.h lays JsVars out in a
 * 1600-var build: a property name holds 4 chars (8 more per extra var), a string 8 chars per var,
 * an int of -1024..1023 (or a bool under an array index) packs into a short name's var, each array element is a name var, an
 * ArrayBuffer is one var plus its bytes priced as a string, a typed array view one more var.
 * Baseline 46 = an empty 1600-var boot measured on the real interpreter (docs/espruino.md).
 *
 * Host objects are never walked. The walk only follows objects of the device's vm realm (their
 * prototype chain ends at its Object.prototype). A host function (the simulator's natives, e.g. a
 * socket's write) costs one var like a jswrap function, or nothing when it is a non-enumerable own
 * property, since it stands for a method Espruino keeps on a built-in prototype; any other host
 * object (a Node Buffer, socket, ...) costs a fixed 2. Walking a host function's closure reached
 * the whole Node heap (Node sockets, the realm's wrappers), which took seconds and tripped the watchdog.
 *
 * Closure variables come from V8's [[Scopes]] via node:inspector (closure-scopes.ts): functions
 * are collected during the walk and read in batches (one inspector round trip per function plus a
 * few per batch), and a function whose only scope is the global one is remembered and never asked
 * again. Scope values are read fresh on every call, since
 * closures reassign their variables. V8 keeps only the variables inner functions use while Espruino
 * keeps whole scopes, so closures are undercounted; two scopes with the same variables and the
 * same values count once. Function code is priced as if loaded from flash (3 vars + 1 per
 * parameter, measured on 2v29; its name is priced as a property), strings read from Storage as if in RAM.
 *
 * The work is capped: counting stops once usage passes 4x the board's JsVars (every object,
 * element and function adds at least one var, so the walk stays proportional to the board's RAM).
 */
export function estimateMemory(roots: MemoryRoots): MemoryReport {
  const limit = roots.total * CAP_FACTOR;
  const seen = new Set<unknown>();
  const scopesSeen = new Set<string>();
  const objectIds = new Map<unknown, number>();
  const queue: object[] = [];
  let closures: Function[] = [];
  let used = BASELINE + roots.extra;
  const g = roots.global as Record<string, unknown>;
  let root: object = g;
  while (Object.getPrototypeOf(root)) root = Object.getPrototypeOf(root);
  const deviceRoot = root;

  /** True for objects made by the host (Node, the simulator's module realm), not by device code. */
  function isHost(o: object): boolean {
    let p = o;
    for (let i = 0; i < 100; i++) {
      const q = Object.getPrototypeOf(p);
      if (q === null) break;
      p = q;
    }
    // a chain ending at some other realm's Object.prototype; Object.create(null) counts as device
    return p !== deviceRoot && p !== o && has(p, 'hasOwnProperty') && has(p, 'isPrototypeOf');
  }

  function valueCost(name: string, v: unknown, index: boolean, enumerable = true): number {
    if (v === undefined) return 0;
    if (isPackedInt(v) || (index && typeof v === 'boolean')) return index || name.length <= 4 ? 0 : 1;
    if (typeof v === 'string') return stringCost(v);
    if (v === null) return 1;
    if (typeof v !== 'object' && typeof v !== 'function') return 1;
    if (isHost(v)) {
      if (seen.has(v)) return 0;
      seen.add(v);
      if (typeof v === 'function') return enumerable ? NATIVE_FUNCTION : 0;
      return NATIVE_OBJECT;
    }
    queue.push(v);
    return 0;
  }

  /** The vars of one device object (not what it links to: those are queued). */
  function price(o: Record<string, unknown>): number {
    const known = roots.builtins.get(o);
    let cost = known ? 0 : 1;
    const isArray = Array.isArray(o);
    const isView = ArrayBuffer.isView(o);
    if (isView) cost += valueCost('', (o as unknown as ArrayBufferView).buffer, true);
    else if (isArrayBuffer(o)) cost += stringCost(abByteLength.call(o) as number);
    for (const k of Object.getOwnPropertyNames(o)) {
      if (!ident(k) || known?.has(k)) continue;
      if (typeof o === 'function' && (k === 'length' || k === 'name' || k === 'prototype' || k === 'arguments' || k === 'caller')) continue;
      if (isArray && k === 'length') continue;
      if (isView && isIndex(k)) continue;
      const desc = Object.getOwnPropertyDescriptor(o, k);
      if (!desc || desc.get || desc.set) continue;
      const index = isArray && isIndex(k);
      cost += (index ? 1 : nameCost(k)) + valueCost(k, desc.value, index, desc.enumerable);
      if (used + cost > limit) break;
    }
    if (typeof o === 'function' && !known) {
      cost += FUNCTION_OBJECT + (o as unknown as Function).length;
      if (!globalOnly.has(o as unknown as Function)) closures.push(o as unknown as Function);
    }
    const proto = Object.getPrototypeOf(o);
    if (proto && !roots.builtins.has(proto)) cost += valueCost('', proto, true);
    return cost;
  }

  function idOf(x: unknown): string {
    if ((x === null || typeof x !== 'object') && typeof x !== 'function') return typeof x === 'string' ? JSON.stringify(x) : String(x);
    let id = objectIds.get(x);
    if (id === undefined) objectIds.set(x, (id = objectIds.size));
    return `#${id}`;
  }

  function priceScopes(fn: Function, list: Scope[]): number {
    let cost = 0;
    let closed = false;
    for (const { description, object } of list) {
      if (description === 'Global') continue;
      closed = true;
      cost += 1;
      const names = Object.getOwnPropertyNames(object);
      const key = description + '|' + names.map((n) => `${n}=${idOf(object[n])}`).join(',');
      if (scopesSeen.has(key)) continue;
      scopesSeen.add(key);
      cost += 1;
      for (const n of names) cost += nameCost(n) + valueCost(n, object[n], false);
    }
    if (!closed) globalOnly.add(fn);
    return cost;
  }

  let scopes: ScopeReader | undefined;

  try {
    for (const v of [g, ...roots.held]) used += valueCost('', v, true);
    while (used <= limit && (queue.length || closures.length)) {
      while (used <= limit && queue.length) {
        const o = queue.pop()!;
        if (seen.has(o)) continue;
        seen.add(o);
        used += price(o as Record<string, unknown>);
      }
      if (!closures.length || used > limit) continue;
      const fns = closures;
      closures = [];
      let lists: ReturnType<ScopeReader['read']> = [];
      try {
        scopes ??= openScopeReader(g, roots.contextName);
        lists = scopes.read(fns);
      } catch {
        // without the inspector we still count what plain reflection reaches
      }
      for (let i = 0; i < fns.length; i++) {
        const list = lists[i];
        if (list) used += priceScopes(fns[i], Array.from(list));
      }
    }
  } finally {
    scopes?.close();
  }
  const usage = Math.round(used);
  return { free: Math.max(0, roots.total - usage), usage, total: roots.total, history: 0, gc: 0, gctime: 0, blocksize: 12, estimate: true };
}
