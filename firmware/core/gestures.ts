// Turns button edges into SINGLE / DOUBLE / LONG clicks, and a 10 s hold into MAINTENANCE, with one
// closure and at most one timer.
// It does not read pins or debounce in hardware: it is setWatch's callback itself (no glue closure
// in between, to save RAM), and bounce that slips through is dropped here by time alone. Times come
// from the edge (its e.time through clock.now), not from the moment it is handled.
import type { Clock } from '../ports';

/**
 * MAINTENANCE: a first press held HOLD_MS (10 s). It cannot be a press held at reset (GPIO0 low at
 * reset enters the ROM bootloader), so it proves someone is at the board.
 */
export type ClickType = 'SINGLE' | 'DOUBLE' | 'LONG' | 'MAINTENANCE';

/** An edge as Espruino's setWatch reports it: the pin's new level, and when (system time, seconds). */
export interface Edge {
  state: boolean;
  time: number;
}

export interface GestureOptions {
  debounceMs: number;
  doubleMs: number;
  longMs: number;
  /** false: every press is a SINGLE at once (no waiting, no DOUBLE/LONG). */
  gestures: boolean;
}

// Phases. Whether the button is down is implied by the phase, so no separate flag is kept.
//   0 idle (up)
//   1 first press held; LONG timer armed
//   2 released; SINGLE timer armed, a press now is the second click
//   3 second press held; DOUBLE on its release, however long it is held
//   4 held but already reported (after MAINTENANCE); its release says nothing
//   5 first press held past longMs: LONG on its release, MAINTENANCE if still held at 10 s. LONG
//     waits for the release so that a 10 s hold is never also published as LONG.
//   6 held with gestures off: its SINGLE is out; MAINTENANCE if still held at 10 s
// The 10 s (1e4 below) is not configurable: it is what a user is told to do, on every device.
/**
 * `activeLow`: the button pulls the pin low when pressed (the NodeMCU's FLASH button). With `once`
 * (the device's boot, which makes one button) the factory frees its own function object afterwards.
 */
export let createGestures = function (opts: GestureOptions, activeLow: boolean, clock: Clock, emit: (click: ClickType) => void, once?: 1): (e?: Edge) => void {
  if (once) createGestures = 0 as never; // a top-level function would otherwise stay in RAM for good
  const db = opts.debounceMs;
  const dbl = opts.doubleMs;
  const lng = opts.longMs;
  const on = opts.gestures;
  // Espruino closures keep their whole scope: drop the options object so only the four numbers stay.
  opts = 0 as never;
  let ph = 0;
  let last = -1e9; // time of the last accepted edge (an integer: one JsVar, where -Infinity takes two)
  let at = 0; // time of the press (phase 1) or of the release (phase 2)
  let tm = 0; // 0 when no timer (timer ids are never 0)

  // One function is both the edge handler and the timer callback (a timer calls it with no
  // arguments). Every function object costs device RAM for as long as the button exists: measured
  // on Espruino 2v29, this shape costs about 22 JsVars where separate helpers cost 46.
  function h(e?: Edge, missed?: 1) {
    if (!e) {
      // The timer: the phase says which deadline it was.
      tm = 0;
      if (ph === 1) {
        ph = 5;
        tm = clock.after(at + 1e4 - clock.now(), h);
      } else if (ph > 4) {
        ph = 4;
        emit('MAINTENANCE');
      } else if (ph === 2) {
        ph = 0;
        emit('SINGLE');
      }
      return;
    }
    const pressed = e.state !== activeLow;
    const t = clock.now(e.time);
    const down = ph % 2 > 0 || ph > 3; // phases 1, 3, 4, 5, 6
    if (!missed) {
      // A release while up is the end of a press held since before boot, or a repeat: no click.
      // An edge too soon after the last accepted one is bounce; it does not move `last`, so a bounce
      // train cannot extend itself. An edge *before* the last one can only mean the clock was
      // stepped back (SNTP resyncs every 30 s with whole seconds): a real edge, or a press is lost.
      if ((!pressed && !down) || (t - last < db && t >= last)) return;
      last = t;
      // A press while down means its release was missed: dropped as bounce when SNTP's first jump
      // made it read as 0 ms after the press (clock.ts), or lost. Take the release first, at this
      // edge's time, so this press still counts.
      if (pressed && down) h({ state: !e.state, time: e.time }, 1);
    }
    // Every accepted edge ends the pending deadline, if any; a new one is armed below when needed.
    if (tm) clock.cancel(tm);
    tm = 0;
    if (!on) {
      ph = 0;
      if (pressed) {
        ph = 6;
        emit('SINGLE');
        tm = clock.after(t + 1e4 - clock.now(), h);
      }
      return;
    }
    let due: number;
    if (pressed) {
      if (ph === 2) {
        if (t - at < dbl) {
          ph = 3;
          return;
        }
        // The double window closed before its timer ran (a late timer): the first click stands alone.
        emit('SINGLE');
      }
      ph = 1;
      at = t;
      due = t + lng;
    } else if (ph === 1 || ph === 5) {
      // Held for longMs (or 10 s) by the edge's own clock, even if the timer has not run yet.
      if (t - at >= lng) {
        ph = 0;
        emit(t - at < 1e4 ? 'LONG' : 'MAINTENANCE');
        return;
      }
      ph = 2;
      at = t;
      due = t + dbl;
    } else {
      const was = ph;
      ph = 0;
      if (was === 3) emit('DOUBLE');
      return;
    }
    // The edge may be reported a little after it happened: aim at the edge time plus the delay.
    const d = due - clock.now();
    tm = clock.after(d > 0 ? d : 0, h);
  }
  return h;
};
