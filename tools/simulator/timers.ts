// setTimeout/setInterval/clearTimeout/clearInterval/changeInterval with Espruino 2v29 semantics
// (src/jswrap_interactive.c): ids start at 1 and continue from the newest, a 0.1 ms minimum,
// clearTimeout() clears everything, clearTimeout(undefined) throws. Real (host) time, no drift.
import type { Lifetime } from './lifetime';
import type { Realm } from './realm';
import type { Runner } from './js-runner';

const MIN_MS = 0.1;
const MAX_MS = 31536000001000;

interface Timer {
  id: number;
  fn: unknown;
  args: unknown[];
  interval?: number;
  /** Host timer id (Lifetime.after). */
  handle?: number;
  dueAt: number;
  /** Debounce timers belong to a watch; clearTimeout() leaves them alone. */
  internal?: boolean;
}

export interface Timers {
  install(global: Record<string, unknown>): void;
  /** Adds an internal timer (watch debounce) sharing the id space; returns its id. */
  addInternal(ms: number, fire: () => void): number;
  /** Moves an internal timer to fire `ms` from now. */
  reschedule(id: number, ms: number): void;
  /** Drops an internal timer without running it (its watch ran it early). */
  cancelInternal(id: number): void;
  /** Callbacks and arguments held by timers (for the memory estimate). */
  held(): unknown[];
  count(): number;
  /** The host time (performance.now()) the earliest timer is due at; Infinity with none. */
  nextDueAt(): number;
}

export function createTimers(realm: Realm, life: Lifetime, runner: Runner): Timers {
  const timers = new Map<number, Timer>();

  function nextId(): number {
    let max = 0;
    for (const id of timers.keys()) max = Math.max(max, id);
    return timers.size ? max + 1 : 1;
  }

  function arm(t: Timer, ms: number): void {
    life.cancel(t.handle);
    t.dueAt = performance.now() + ms;
    t.handle = life.after(ms, () => fire(t));
  }

  function fire(t: Timer): void {
    if (timers.get(t.id) !== t) return;
    if (t.internal) {
      timers.delete(t.id);
      (t.fn as () => void)();
      return;
    }
    runner.call(undefined, t.fn, t.args);
    if (timers.get(t.id) !== t) return;
    if (t.interval !== undefined) {
      // next run is relative to when this one was due, as Espruino adds 'intr' to 'time'
      const next = Math.max(0, t.dueAt + t.interval - performance.now());
      t.dueAt += t.interval;
      life.cancel(t.handle);
      t.handle = life.after(next, () => fire(t));
    } else timers.delete(t.id);
  }

  function add(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== 'function' && typeof fn !== 'string') throw realm.error('Error', 'Function or String not supplied!');
    let interval = Number(ms);
    if (Number.isNaN(interval) || interval < MIN_MS) interval = MIN_MS;
    if (interval > MAX_MS) throw realm.error('Error', 'Interval is too long (>100 years)');
    const t: Timer = { id: nextId(), fn, args, interval: repeat ? interval : undefined, dueAt: 0 };
    timers.set(t.id, t);
    arm(t, interval);
    return t.id;
  }

  function clear(kind: 'Timeout' | 'Interval', ids: unknown[]): void {
    if (ids.length === 0) {
      for (const t of [...timers.values()]) {
        if (t.internal) continue;
        life.cancel(t.handle);
        timers.delete(t.id);
      }
      return;
    }
    if (ids[0] === undefined) throw realm.error('Error', `clear${kind}(undefined) not allowed. Use clear${kind}() instead`);
    const t = timers.get(Number(ids[0]));
    if (t && !t.internal) {
      life.cancel(t.handle);
      timers.delete(t.id);
    }
  }

  return {
    install(g) {
      g.setTimeout = (fn: unknown, ms: unknown, ...args: unknown[]) => add(fn, ms, args, false);
      g.setInterval = (fn: unknown, ms: unknown, ...args: unknown[]) => add(fn, ms, args, true);
      g.clearTimeout = (...ids: unknown[]) => clear('Timeout', ids);
      g.clearInterval = (...ids: unknown[]) => clear('Interval', ids);
      g.changeInterval = (id: unknown, ms: unknown) => {
        const t = typeof id === 'number' || typeof id === 'string' ? timers.get(Number(id)) : undefined;
        if (!t) throw realm.error('Error', 'Unknown Interval');
        let interval = Number(ms);
        if (!(interval >= MIN_MS)) interval = MIN_MS;
        t.interval = interval;
        arm(t, interval);
      };
    },
    addInternal(ms, fireFn) {
      const t: Timer = { id: nextId(), fn: fireFn, args: [], dueAt: 0, internal: true };
      timers.set(t.id, t);
      arm(t, ms);
      return t.id;
    },
    reschedule(id, ms) {
      const t = timers.get(id);
      if (t) arm(t, ms);
    },
    cancelInternal(id) {
      const t = timers.get(id);
      if (!t?.internal) return;
      life.cancel(t.handle);
      timers.delete(id);
    },
    held() {
      const out: unknown[] = [];
      for (const t of timers.values()) if (!t.internal) out.push(t.fn, ...t.args);
      return out;
    },
    count: () => timers.size,
    nextDueAt() {
      let next = Infinity;
      for (const t of timers.values()) next = Math.min(next, t.dueAt);
      return next;
    },
  };
}
