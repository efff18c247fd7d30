// Runs device JavaScript one event at a time, as Espruino's idle loop does: each callback or code
// chunk runs to completion, its exception is reported (never thrown to the host), promise jobs run
// after it, and a watchdog resets a board whose callback never returns (ESP8266 soft WDT).
import vm from 'node:vm';
import type { Lifetime } from './lifetime';
import type { Realm } from './realm';
import { PowerCutError } from './flash-image';

export interface Runner {
  /** Runs a function, an array of listeners, or code text now, as one event. False if it threw. */
  call(thisArg: unknown, fn: unknown, args: unknown[]): boolean;
  /** Queues the same for the next turn of the loop (jsiQueueEvents). */
  queue(thisArg: unknown, fn: unknown, args: unknown[]): void;
  /** Evaluates code in the global scope (REPL line, boot code). */
  evaluate(code: string, filename: string, onValue?: (value: unknown) => void): { ok: true; value: unknown } | { ok: false };
}

export interface RunnerDeps {
  realm: Realm;
  life: Lifetime;
  /** An exception escaped device code. */
  report(error: unknown): void;
  /** Runs after every event (console prompt, deferred reset/load). */
  afterEvent(): void;
  watchdogMs: number;
  onWatchdog(): void;
}

const SLOT = '\u0001run';

/** An error as the console prints it; a value whose toString throws is just "Error". */
export function describeError(e: unknown): string {
  try {
    return typeof e === 'string' ? e : String(e);
  } catch {
    return 'Error';
  }
}

export function createRunner(deps: RunnerDeps): Runner {
  const { realm, life } = deps;
  let pending: (() => unknown) | undefined;
  let depth = 0;
  Object.defineProperty(realm.global, SLOT, {
    value: () => {
      const f = pending;
      pending = undefined;
      return f?.();
    },
    enumerable: false,
  });
  const trampoline = new vm.Script(`this[${JSON.stringify(SLOT)}]()`, { filename: 'event' });

  function invoke(thisArg: unknown, fn: unknown, args: unknown[]): unknown {
    if (typeof fn === 'string') return realm.run(fn, 'callback');
    if (Array.isArray(fn)) {
      for (const f of fn) invoke(thisArg, f, args);
      return undefined;
    }
    if (typeof fn === 'function') return fn.apply(thisArg, args);
    return undefined;
  }

  /** Runs body once under the watchdog; an exception is reported, never thrown. */
  function attempt(body: () => unknown, onValue?: (value: unknown) => void): { ok: boolean; value?: unknown } {
    try {
      let value: unknown;
      if (depth === 1) {
        pending = body;
        value = trampoline.runInContext(realm.context, { timeout: deps.watchdogMs });
      } else {
        value = body();
      }
      // the REPL prints `=result` before promise reactions run (they are events after this one)
      onValue?.(value);
      return { ok: true, value };
    } catch (e) {
      if (e instanceof PowerCutError || !life.alive) return { ok: false };
      if ((e as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        deps.onWatchdog();
        return { ok: false };
      }
      deps.report(e);
      return { ok: false };
    }
  }

  /** Runs body under the watchdog, then the promise reactions it queued; true if body completed. */
  function guarded(body: () => unknown, onValue?: (value: unknown) => void): { ok: boolean; value?: unknown } {
    if (!life.alive) return { ok: false };
    depth++;
    try {
      return attempt(body, onValue);
    } finally {
      if (depth === 1 && life.alive) {
        try {
          realm.drain();
          for (let list = realm.takeReactions(); list.length && life.alive; list = realm.takeReactions()) {
            for (const r of list) if (life.alive) attempt(r);
            realm.drain();
          }
          for (const reason of realm.takeUnhandled()) deps.report(realm.error('Error', `Unhandled promise rejection: ${describeError(reason)}`));
        } catch (e) {
          if (!(e instanceof PowerCutError)) deps.report(e);
        }
      }
      depth--;
      if (depth === 0 && life.alive) deps.afterEvent();
    }
  }

  return {
    call(thisArg, fn, args) {
      return guarded(() => invoke(thisArg, fn, args)).ok;
    },
    queue(thisArg, fn, args) {
      life.soon(() => {
        guarded(() => invoke(thisArg, fn, args));
      });
    },
    evaluate(code, filename, onValue) {
      const r = guarded(() => realm.run(code, filename), onValue);
      return r.ok ? { ok: true, value: r.value } : { ok: false };
    },
  };
}
