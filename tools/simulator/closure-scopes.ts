// Reads V8's closure scopes ([[Scopes]]) of device functions through node:inspector, for the memory
// estimate: a batch of functions costs one Runtime.getProperties each plus a fixed handful of calls.
// It prices nothing, and it never pauses or debugs the device.
import inspector from 'node:inspector';

/** One entry of a function's [[Scopes]]: 'Closure', 'Script', 'Block', 'Global', ... and its variables' values. */
export interface Scope {
  description: string;
  object: Record<string, unknown>;
}

export interface ScopeReader {
  /** Each function's scope list, in order; null or undefined where the inspector had none. */
  read(fns: Function[]): ArrayLike<ArrayLike<Scope> | null | undefined>;
  close(): void;
}

type Post = <T = any>(method: string, params?: object) => T;
type Ref = { name: string; value?: { objectId?: string } };

/** Per realm global: its inspector context id (Runtime.enable is the only way to list contexts, so ask once). */
const contextIds = new WeakMap<object, number>();
const PROBE = '\u0001memprobe';
const SINK = '\u0001memsink';

/**
 * Opens an inspector session on the realm whose vm context is named contextName. The batch is put
 * on the realm's global under a hidden name, fetched as remote objects, and every function's
 * [[Scopes]] list is handed back to the host in one callFunctionOn: V8 materializes each scope as
 * a plain object holding the variables' current values (fresh on every read, not live).
 */
export function openScopeReader(global: object, contextName: string): ScopeReader {
  const g = global as Record<string, unknown>;
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
  let contextId = contextIds.get(g);
  if (contextId === undefined) {
    // existing contexts are announced synchronously while Runtime.enable runs
    s.on('Runtime.executionContextCreated', (m: { params: { context: { id: number; name: string } } }) => {
      if (m.params.context.name === contextName) contextId = m.params.context.id;
    });
    post('Runtime.enable');
    post('Runtime.disable');
    if (contextId !== undefined) contextIds.set(g, contextId);
  }
  let received: ReturnType<ScopeReader['read']> = [];
  Object.defineProperty(g, SINK, { value: (x: typeof received) => (received = x), configurable: true });

  return {
    read(fns) {
      if (contextId === undefined) return [];
      Object.defineProperty(g, PROBE, { value: fns, configurable: true });
      try {
        const ev = (expression: string) => post('Runtime.evaluate', { expression, contextId, objectGroup: 'mem' }).result;
        const sinkRef = ev(`this[${JSON.stringify(SINK)}]`);
        const arrRef = ev(`this[${JSON.stringify(PROBE)}]`);
        if (!sinkRef?.objectId || !arrRef?.objectId) return [];
        const refs: Ref[] = post('Runtime.getProperties', { objectId: arrRef.objectId, ownProperties: true }).result;
        const byIndex = new Map(refs.map((p) => [p.name, p.value?.objectId]));
        const args = fns.map((_, i) => {
          const ref = byIndex.get(String(i));
          const internal: Ref[] = ref ? post('Runtime.getProperties', { objectId: ref, ownProperties: true }).internalProperties ?? [] : [];
          const scopes = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
          return scopes ? { objectId: scopes } : { value: null };
        });
        received = [];
        post('Runtime.callFunctionOn', { objectId: sinkRef.objectId, functionDeclaration: 'function () { this(arguments); }', arguments: args, objectGroup: 'mem' });
        return received;
      } finally {
        delete g[PROBE];
        post('Runtime.releaseObjectGroup', { objectGroup: 'mem' });
      }
    },
    close() {
      delete g[PROBE];
      delete g[SINK];
      s.disconnect();
    },
  };
}
