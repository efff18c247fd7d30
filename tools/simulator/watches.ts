// setWatch/clearWatch with Espruino 2v29 semantics (src/jswrap_io.c jswrap_interface_setWatch,
// src/jsinteractive.c jsiIdle "PIN WATCH" and the debounce branch of its timer loop).
import type { BoardProfile } from './boards';
import type { Lifetime } from './lifetime';
import type { Realm } from './realm';
import type { Runner } from './js-runner';
import type { DeviceClock } from './clock';
import type { Timers } from './timers';
import type { PinApi, PinHardware, Level } from './pins';

/*
 * - edges are handled in the event loop, not at once; the callback gets {state, lastTime, time, pin};
 * - without debounce every edge runs the callback; `lastTime` is the previous edge on that pin;
 * - with debounce, an edge arms a timer for `debounce` ms and each further edge moves it to
 *   `debounce` after *that* edge, so `time` reports the LAST edge before the level stayed stable
 *   (not the first), and the callback runs only if the settled level differs from the old one;
 * - a cleared watch's pending debounce timer still fires once (it stays in the timer list);
 * - the debounce runs from the edge's own timestamp (taken when the pin changed, as the board's
 *   interrupt stamps it; jsiIdle sets the timeout to eventTime + debounce), not from when the host
 *   got round to handling it: a host that is late (a loaded machine) must not turn two clean edges
 *   into one bounce. So an edge handled after a pending debounce was already due by that edge's
 *   stamp lets the debounce fire first, as the board's idle loop, running on time, would have.
 *   Every delay is taken to be the host's: edges merged behind a long-running device callback
 *   (the board's idle loop itself late) are not reproduced.
 */
interface Pending {
  timerId: number;
  /** Device time (s) of the edge that last moved the timer. */
  time: number;
  /** Host time (ms, monotonic) of that edge: device time can jump (setTime, SNTP), this cannot. */
  at: number;
  state: boolean;
}

interface Watch {
  id: number;
  pin: number;
  cb: unknown;
  recur: boolean;
  /** 1 rising, -1 falling, 0 both. */
  edge: number;
  debounceMs: number;
  state: boolean;
  lastTime: number | undefined;
  timeout?: Pending;
}

export interface Watches {
  install(g: Record<string, unknown>): void;
  held(): unknown[];
  count(): number;
}

export interface WatchDeps {
  realm: Realm;
  life: Lifetime;
  runner: Runner;
  clock: DeviceClock;
  timers: Timers;
  hw: PinHardware;
  pins: PinApi;
  board: BoardProfile;
  print(text: string): void;
}

export function createWatches(d: WatchDeps): Watches {
  const watches = new Map<number, Watch>();

  const shouldRun = (w: Watch, high: boolean): boolean => w.edge === 0 || (high && w.edge > 0) || (!high && w.edge < 0);

  function callback(w: Watch, state: boolean, time: number): void {
    const data = new d.realm.R.Object();
    data.state = state;
    data.lastTime = w.lastTime;
    data.time = time;
    data.pin = d.pins.pin(w.pin);
    d.runner.call(undefined, w.cb, [data]);
  }

  function removeIfOneShot(w: Watch): void {
    if (!w.recur && watches.get(w.id) === w) watches.delete(w.id);
  }

  function debounceFired(w: Watch): void {
    const t = w.timeout;
    if (!t) return;
    w.timeout = undefined;
    const changed = w.state !== t.state;
    w.state = t.state;
    if (!changed) return;
    const run = shouldRun(w, t.state);
    if (run) callback(w, t.state, t.time);
    w.lastTime = t.time;
    if (run) removeIfOneShot(w);
  }

  /** ms until a debounce started by an edge at host time `at` is due (0 if already due). */
  const dueIn = (w: Watch, at: number): number => Math.max(0, at + w.debounceMs - performance.now());

  function edge(w: Watch, high: boolean, time: number, at: number): void {
    if (w.debounceMs <= 0) {
      w.state = high;
      if (shouldRun(w, high)) {
        callback(w, high, time);
        removeIfOneShot(w);
      }
      w.lastTime = time;
      return;
    }
    // The level had been stable for the debounce before this edge: the board would have fired it.
    if (w.timeout && w.timeout.at + w.debounceMs <= at) {
      d.timers.cancelInternal(w.timeout.timerId);
      debounceFired(w);
    }
    if (w.timeout) {
      w.timeout.time = time;
      w.timeout.at = at;
      w.timeout.state = high;
      d.timers.reschedule(w.timeout.timerId, dueIn(w, at));
    } else if (high !== w.state) {
      const pending: Pending = { timerId: 0, time, at, state: high };
      w.timeout = pending;
      pending.timerId = d.timers.addInternal(dueIn(w, at), () => debounceFired(w));
    }
  }

  const unsubscribe = d.hw.onChange((n: number, level: Level) => {
    const time = d.clock.seconds();
    const at = performance.now();
    // interrupts only queue the edge (with its timestamp); watches run from the event loop (jsiIdle)
    d.life.soon(() => {
      for (const w of [...watches.values()]) if (w.pin === n && watches.get(w.id) === w) edge(w, level === 1, time, at);
    });
  });
  d.life.onKill(unsubscribe);

  function nextId(): number {
    let max = 0;
    for (const id of watches.keys()) max = Math.max(max, id);
    return watches.size ? max + 1 : 1;
  }

  return {
    install(g) {
      g.setWatch = (fn: unknown, pinArg: unknown, options: unknown) => {
        const pin = d.pins.num(pinArg);
        if (pin === undefined) {
          d.print('ERROR: Invalid pin\n');
          return undefined;
        }
        if (d.board.unwatchable.includes(pin)) {
          d.print('WARNING: Unable to set watch. You may already have a watch on a pin with the same number (eg. A0 and B0),\nor this pin cannot be used with watch\n');
          return undefined;
        }
        let recur = false;
        let debounce = 0;
        let edgeDir = 0;
        if (options && typeof options === 'object') {
          const o = options as Record<string, unknown>;
          if (o.repeat !== undefined) recur = Boolean(o.repeat);
          if (o.debounce !== undefined) debounce = Number(o.debounce);
          if (Number.isNaN(debounce) || debounce < 0) debounce = 0;
          const e = o.edge;
          if (e === undefined) edgeDir = 0;
          else if (typeof e === 'number' || typeof e === 'boolean') edgeDir = Math.sign(Number(e));
          else if (e === 'rising') edgeDir = 1;
          else if (e === 'falling') edgeDir = -1;
          else if (e === 'both') edgeDir = 0;
          else throw d.realm.error('TypeError', "'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
        } else recur = Boolean(options);
        if (typeof fn !== 'function' && typeof fn !== 'string') throw d.realm.error('Error', 'Function or String not supplied!');
        // reading the pin also makes an automatic pin an input (jshPinInput)
        if (!d.hw.isManual(pin)) d.hw.setMode(pin, 'input', false);
        const w: Watch = { id: nextId(), pin, cb: fn, recur, edge: edgeDir, debounceMs: debounce, state: d.hw.level(pin) === 1, lastTime: undefined };
        watches.set(w.id, w);
        return w.id;
      };
      g.clearWatch = (...ids: unknown[]) => {
        if (ids.length === 0) {
          watches.clear();
          return;
        }
        if (ids[0] === undefined) throw d.realm.error('Error', 'clearWatch(undefined) not allowed. Use clearWatch() instead');
        const id = Number(ids[0]);
        if (!watches.delete(id)) throw d.realm.error('Error', `Unknown Watch ${String(ids[0])}`);
      };
    },
    held() {
      return [...watches.values()].map((w) => w.cb);
    },
    count: () => watches.size,
  };
}
