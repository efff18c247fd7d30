// Turns button edges into SINGLE / DOUBLE / LONG clicks with one closure and at most one timer.
// It does not read pins or debounce in hardware: the glue passes edges (setWatch), and bounce that
// slips through is dropped here by time alone. Times come from the edge (atMs), not from now().
import type { Clock } from '../ports';

export type ClickType = 'SINGLE' | 'DOUBLE' | 'LONG';

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
//   4 held but already reported (after LONG, or any press with gestures off); its release says nothing
export function createGestures(opts: GestureOptions, clock: Clock, emit: (click: ClickType) => void): (pressed: boolean, atMs: number) => void {
  let ph = 0;
  let last = -Infinity; // time of the last accepted edge
  let at = 0; // time of the press (phase 1) or of the release (phase 2)
  let tm: number | undefined;

  // One function is both the edge handler and the timer callback (a timer calls it with no
  // arguments). Every function object costs device RAM for as long as the button exists: measured
  // on Espruino 2v29, this shape costs about 22 JsVars where separate helpers cost 46.
  function h(pressed?: boolean, t?: number) {
    if (t === undefined) {
      // The timer: the phase says which deadline it was.
      tm = undefined;
      if (ph === 1) {
        ph = 4;
        emit('LONG');
      } else if (ph === 2) {
        ph = 0;
        emit('SINGLE');
      }
      return;
    }
    const down = ph === 1 || ph === 3 || ph === 4;
    // A repeat of the current level is bounce or a lost edge: nothing changed. An edge too soon
    // after the last accepted one is bounce. Neither moves `last`, so a bounce train cannot extend itself.
    if (pressed === down || t - last < opts.debounceMs) return;
    last = t;
    // Every accepted edge ends the pending deadline, if any; a new one is armed below when needed.
    clock.cancel(tm);
    tm = undefined;
    if (!opts.gestures) {
      ph = pressed ? 4 : 0;
      if (pressed) emit('SINGLE');
      return;
    }
    let due: number;
    if (pressed) {
      if (ph === 2) {
        if (t - at < opts.doubleMs) {
          ph = 3;
          return;
        }
        // The double window closed before its timer ran (a late timer): the first click stands alone.
        emit('SINGLE');
      }
      ph = 1;
      at = t;
      due = t + opts.longMs;
    } else if (ph === 1) {
      // Held for longMs by the edge's own clock, even if the LONG timer has not run yet.
      if (t - at >= opts.longMs) {
        ph = 0;
        emit('LONG');
        return;
      }
      ph = 2;
      at = t;
      due = t + opts.doubleMs;
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
}
