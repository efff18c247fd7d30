// Turns button edges into SINGLE / DOUBLE / LONG clicks, and a 10 s hold into MAINTENANCE, with one
// closure and at most one timer.
// It does not read pins: it is setWatch's callback itself (no glue closure in between, to save RAM).
// Given debounceMs, it drops bounce by the edges' times; the device gives it 0 and lets setWatch's
// debounce do that (main.ts), because SNTP steps e.time. Times come from the edge (its e.time
// through clock.now), not from the moment it is handled.
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

/**
 * Where a gesture is. Whether the button is down is implied by the phase (every phase after
 * Released), so no separate flag is kept. Inlined as numbers by the build.
 * The 10 s (1e4 below) is not configurable: it is what a user is told to do, on every device.
 */
const enum Phase {
  /** Up, nothing pending. */
  Idle,
  /** The first press released: SINGLE timer armed, a press now is the second click. */
  Released,
  /** The first press held: LONG timer armed. */
  FirstHeld,
  /** The second press held: DOUBLE on its release, however long it is held. */
  SecondHeld,
  /** Held but already reported (after MAINTENANCE): its release says nothing. */
  Reported,
  /**
   * The first press held past longMs: LONG on its release, MAINTENANCE if still held at 10 s. LONG
   * waits for the release so that a 10 s hold is never also published as LONG.
   */
  LongHeld,
  /** Held with gestures off: its SINGLE is out; MAINTENANCE if still held at 10 s. */
  SingleHeld,
}

/**
 * `activeLow`: the button pulls the pin low when pressed (the NodeMCU's FLASH button). With `once`
 * (the device's boot, which makes one button) the factory frees its own function object afterwards.
 */
export let createGestures = function (opts: GestureOptions, activeLow: boolean, clock: Clock, emit: (click: ClickType) => void, once?: 1): (e?: Edge) => void {
  if (once) createGestures = 0 as never; // a top-level function would otherwise stay in RAM for good
  const debounceMs = opts.debounceMs;
  const doubleMs = opts.doubleMs;
  const longMs = opts.longMs;
  // 0/1, not booleans: in a scope a boolean takes 2 JsVars, a small integer 1 (measured on 2v29).
  const gestures = opts.gestures ? 1 : 0;
  activeLow = (activeLow ? 1 : 0) as never; // the parameter itself: a new local would be one more name
  // Espruino closures keep their whole scope: drop the options object so only the four numbers stay.
  opts = 0 as never;
  let phase = Phase.Idle;
  let last = -1e9; // time of the last accepted edge (an integer: one JsVar, where -Infinity takes two)
  let at = 0; // time of the press (FirstHeld) or of the release (Released)
  let timer = 0; // 0 when none (timer ids are never 0)

  // One function is both the edge handler and the timer callback (a timer calls it with no
  // arguments). Every function object costs device RAM for as long as the button exists: measured
  // on Espruino 2v29, this shape costs about 22 JsVars where separate helpers cost 46.
  function gesture(e?: Edge, missed?: 1) {
    if (!e) {
      // The timer: the phase says which deadline it was.
      timer = 0;
      if (phase === Phase.FirstHeld) {
        phase = Phase.LongHeld;
        timer = clock.after(at + 1e4 - clock.now(), gesture);
      } else if (phase > Phase.Reported) {
        phase = Phase.Reported;
        emit('MAINTENANCE');
      } else if (phase === Phase.Released) {
        phase = Phase.Idle;
        emit('SINGLE');
      }
      return;
    }
    const pressed = e.state !== !!activeLow;
    const t = clock.now(e.time);
    const down = phase > Phase.Released;
    if (!missed) {
      // A release while up is the end of a press held since before boot, or a repeat: no click.
      // An edge too soon after the last accepted one is bounce; it does not move `last`, so a bounce
      // train cannot extend itself. An edge *before* the last one can only mean the clock was
      // stepped back (SNTP resyncs every 30 s with whole seconds): a real edge, or a press is lost.
      if ((!pressed && !down) || (t - last < debounceMs && t >= last)) return;
      last = t;
      // A press while down means its release was missed: dropped as bounce when SNTP's first jump
      // made it read as 0 ms after the press (clock.ts), or lost. Take the release first, at this
      // edge's time, so this press still counts.
      if (pressed && down) gesture({ state: !e.state, time: e.time }, 1);
    }
    // Every accepted edge ends the pending deadline, if any; a new one is armed below when needed.
    if (timer) clock.cancel(timer);
    timer = 0;
    if (!gestures) {
      phase = Phase.Idle;
      if (pressed) {
        phase = Phase.SingleHeld;
        emit('SINGLE');
        timer = clock.after(t + 1e4 - clock.now(), gesture);
      }
      return;
    }
    let due: number;
    if (pressed) {
      if (phase === Phase.Released) {
        if (t - at < doubleMs) {
          phase = Phase.SecondHeld;
          return;
        }
        // The double window closed before its timer ran (a late timer): the first click stands alone.
        emit('SINGLE');
      }
      phase = Phase.FirstHeld;
      at = t;
      due = t + longMs;
    } else if (phase === Phase.FirstHeld || phase === Phase.LongHeld) {
      // Held for longMs (or 10 s) by the edge's own clock, even if the timer has not run yet.
      if (t - at >= longMs) {
        phase = Phase.Idle;
        emit(t - at < 1e4 ? 'LONG' : 'MAINTENANCE');
        return;
      }
      phase = Phase.Released;
      at = t;
      due = t + doubleMs;
    } else {
      const was = phase;
      phase = Phase.Idle;
      if (was === Phase.SecondHeld) emit('DOUBLE');
      return;
    }
    // The edge may be reported a little after it happened: aim at the edge time plus the delay.
    const wait = due - clock.now();
    timer = clock.after(wait > 0 ? wait : 0, gesture);
  }
  return gesture;
};
