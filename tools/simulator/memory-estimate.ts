// An ESTIMATE of Espruino JsVars in use, for process.memory() and device.memory(): it prices what the
// device's JavaScript can still reach in 12-byte JsVars. Not a measurement; see estimateMemory.
import inspector from 'node:inspector';

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

const BASELINE = 55;
const ident = (s: string): boolean => s.length > 0 && !s.startsWith('\u0001');
const nameCost = (name: string): number => 1 + Math.ceil(Math.max(0, name.length - 4) / 8);
const stringCost = (s: string): number => 1 + Math.ceil(Math.max(0, s.length - 8) / 8);
const isPackedInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31;

type Post = <T = any>(method: string, params?: object) => T;

function session(): { post: Post; on(event: string, fn: (m: any) => void): void; close(): void } {
  const s = new inspector.Session();
  s.connect();
  const post: Post = (method, params) => {
    let out: any;
    let err: Error | null = null;
    let done = false;
    s.post(method, params ?? {}, (e, r) => {
      err = e;
      out = r;
      done = true;
    });
    if (!done) throw new Error(`inspector call ${method} did not complete synchronously`);
    if (err) throw err;
    return out;
  };
  return { post, on: (event, fn) => s.on(event, fn), close: () => s.disconnect() };
}

/**
 * Method: walk everything the device's JavaScript can still reach (globals it added, timer and
 * watch callbacks, socket objects, listeners) and price it as src/jsvar.h lays JsVars out in a
 * 1600-var build: a property name holds 4 chars (8 more per extra var), a string 8 chars per var,
 * an int or bool under a short name packs into the name var, each array element is a name var.
 * Closure variables come from V8's [[Scopes]] via the inspector protocol; V8 keeps only the
 * variables inner functions use while Espruino keeps whole scopes, so closures are undercounted.
 * Function code is priced as if loaded from flash (2 vars), strings read from Storage as if in RAM.
 * Baseline 55 = an empty 1600-var boot measured on the real interpreter (ESPRUINO.md).
 */
export function estimateMemory(roots: MemoryRoots): MemoryReport {
  const seen = new Set<unknown>();
  const scopesSeen = new Set<string>();
  const objectIds = new Map<unknown, number>();
  let used = BASELINE + roots.extra;
  const insp = session();
  let contextId: number | undefined;
  const onCtx = (m: { params: { context: { id: number; name: string } } }): void => {
    if (m.params.context.name === roots.contextName) contextId = m.params.context.id;
  };
  const probe = '\u0001memprobe';
  const sink = '\u0001memsink';
  const g = roots.global as Record<string, unknown>;
  let received: unknown;
  Object.defineProperty(g, sink, { value: (x: unknown) => (received = x), configurable: true });

  function closureValues(fn: Function): { key: string; vars: [string, unknown][] }[] {
    if (contextId === undefined) return [];
    Object.defineProperty(g, probe, { value: fn, configurable: true });
    const out: { key: string; vars: [string, unknown][] }[] = [];
    try {
      const fnRef = insp.post('Runtime.evaluate', { expression: `this[${JSON.stringify(probe)}]`, contextId, objectGroup: 'mem' }).result;
      const sinkRef = insp.post('Runtime.evaluate', { expression: `this[${JSON.stringify(sink)}]`, contextId, objectGroup: 'mem' }).result;
      if (!fnRef?.objectId || !sinkRef?.objectId) return out;
      const props = insp.post('Runtime.getProperties', { objectId: fnRef.objectId, ownProperties: true });
      const scopes = (props.internalProperties ?? []).find((p: { name: string }) => p.name === '[[Scopes]]');
      if (!scopes) return out;
      const list = insp.post('Runtime.getProperties', { objectId: scopes.value.objectId, ownProperties: true }).result;
      for (const entry of list) {
        const desc: string = entry.value?.description ?? '';
        if (!entry.value?.objectId || desc === 'Global') continue;
        const vars: [string, unknown][] = [];
        for (const v of insp.post('Runtime.getProperties', { objectId: entry.value.objectId, ownProperties: true }).result) {
          const rv = v.value;
          if (!rv) continue;
          if (rv.objectId) {
            insp.post('Runtime.callFunctionOn', { objectId: rv.objectId, functionDeclaration: 'function (s) { s(this); }', arguments: [{ objectId: sinkRef.objectId }], objectGroup: 'mem' });
            vars.push([v.name, received]);
          } else vars.push([v.name, rv.type === 'undefined' ? undefined : rv.value]);
        }
        const id = (x: unknown): string => (x !== null && typeof x === 'object') || typeof x === 'function' ? `#${objectIds.get(x) ?? objectIds.set(x, objectIds.size).size}` : JSON.stringify(x) ?? 'u';
        out.push({ key: desc + '|' + vars.map(([n, x]) => `${n}=${id(x)}`).join(','), vars });
      }
    } finally {
      insp.post('Runtime.releaseObjectGroup', { objectGroup: 'mem' });
    }
    return out;
  }

  function valueCost(name: string, v: unknown, isIndex: boolean): number {
    if (v === undefined) return 0;
    if (isPackedInt(v) || typeof v === 'boolean') return isIndex || name.length <= 4 ? 0 : 1;
    if (typeof v === 'string') return stringCost(v);
    if (typeof v === 'object' || typeof v === 'function') return v === null ? 1 : walk(v);
    return 1;
  }

  function walk(v: unknown): number {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return 0;
    if (seen.has(v)) return 0;
    seen.add(v);
    const o = v as Record<string, unknown>;
    const known = roots.builtins.get(o);
    let cost = known ? 0 : 1;
    const isArray = Array.isArray(o);
    for (const k of Object.getOwnPropertyNames(o)) {
      if (!ident(k) || known?.has(k)) continue;
      if (typeof o === 'function' && (k === 'length' || k === 'name' || k === 'prototype' || k === 'arguments' || k === 'caller')) continue;
      if (isArray && k === 'length') continue;
      const desc = Object.getOwnPropertyDescriptor(o, k);
      if (!desc || desc.get || desc.set) continue;
      const index = isArray && /^\d+$/.test(k);
      cost += (index ? 1 : nameCost(k)) + valueCost(k, desc.value, index);
    }
    if (typeof o === 'function' && !known) {
      cost += 2 + (o as unknown as Function).length;
      for (const scope of closureValues(o as unknown as Function)) {
        cost += 1;
        if (scopesSeen.has(scope.key)) continue;
        scopesSeen.add(scope.key);
        cost += 1;
        for (const [n, x] of scope.vars) cost += nameCost(n) + valueCost(n, x, false);
      }
    }
    const proto = Object.getPrototypeOf(o);
    if (proto && !roots.builtins.has(proto)) cost += walk(proto);
    return cost;
  }

  try {
    // existing contexts are announced synchronously while Runtime.enable runs
    insp.on('Runtime.executionContextCreated', onCtx);
    insp.post('Runtime.enable');
  } catch {
    // without the inspector we still count what plain reflection reaches
  }
  try {
    used += walk(roots.global);
    for (const h of roots.held) used += walk(h);
  } finally {
    delete g[probe];
    delete g[sink];
    insp.close();
  }
  const usage = Math.round(used);
  return { free: Math.max(0, roots.total - usage), usage, total: roots.total, history: 0, gc: 0, gctime: 0, blocksize: 12, estimate: true };
}
