// Blink patterns for the one status LED: a looping base state plus one-shot flashes, one timer at a time.
// It does not know the pin or its polarity (write(true) means lit; active-low is the glue's job),
// and keeps no table in RAM: patterns are string literals in code, which lives in flash.
import type { Clock } from '../ports';

export type LedState = 'wifi' | 'mqtt' | 'online' | 'queued' | 'delivered' | 'error' | 'off';

export interface Led {
  /** Set the looping base state. Showing the state already shown keeps its rhythm (no restart). */
  show(state: LedState): void;
  /** Play a transient pattern once, then go back to the base state (or to a base set meanwhile). */
  flash(state: 'queued' | 'delivered'): void;
}

// A pattern is durations in 10 ms units, space-separated, alternating dark, lit, dark, lit...
// Starting dark means a flash is visible even when the base had the LED lit, and a state change
// shows as a gap before the new rhythm. Looping patterns have an even count so the phase holds.
//   wifi      500 dark / 500 lit: slow blink, "looking for the network"
//   mqtt      100 dark / 100 lit: fast blink, "network up, reaching the broker"
//   online    a 30 ms blip every 5 s. Not solid off: off must keep meaning "not running", and a
//             heartbeat proves the firmware is alive. The cost is 0.6% LED duty (tens of
//             microamps averaged) next to ~70 mA for the radio, which stays on for MQTT anyway.
//   error     three 150 ms pulses, then 800 ms dark, forever: unlike any steady blink
//   queued    one 50 ms flash (transient)
//   delivered two 50 ms flashes (transient)
//   off       dark, no timer
export function createLed(write: (on: boolean) => void, clock: Clock): Led {
  let base: string | undefined; // undefined until the first show()
  let cur = ''; // the pattern playing: base, or a transient
  let pos = 0; // next character of cur to read
  let lit = false;
  let tr = false; // cur is a transient
  let tm: number | undefined;

  // One function is show(), flash()'s worker (once = true) and the timer callback (no arguments):
  // every function object costs device RAM for the life of the LED. Measured on Espruino 2v29,
  // this shape costs about 36 JsVars where separate step/play/show helpers cost 59.
  function run(s?: LedState, once?: boolean) {
    if (s !== undefined) {
      let p = '';
      switch (s) {
        case 'wifi':
          p = '50 50';
          break;
        case 'mqtt':
          p = '10 10';
          break;
        case 'online':
          p = '497 3';
          break;
        case 'error':
          p = '80 15 15 15 15 15';
          break;
        case 'queued':
          p = '10 5 10';
          break;
        case 'delivered':
          p = '10 5 10 5 10';
      }
      if (once) tr = true;
      else {
        if (p === base) return;
        base = p;
        // A flash in progress finishes first (it is under half a second), then returns to this base.
        if (tr) return;
      }
      clock.cancel(tm);
      cur = p;
      pos = 0; // an empty pattern ends at once and falls through to the base (or dark) below
      lit = true;
    }
    tm = undefined;
    if (pos >= cur.length) {
      // End of the pattern: loop the base, or return to it after a transient.
      tr = false;
      cur = base || '';
      pos = 0;
      lit = true; // toggled to dark by the first duration below
      if (!cur) {
        lit = false;
        write(false);
        return;
      }
    }
    let n = 0;
    while (pos < cur.length) {
      const c = cur.charCodeAt(pos++);
      if (c === 32) break;
      n = n * 10 + c - 48;
    }
    lit = !lit;
    write(lit);
    tm = clock.after(n * 10, run);
  }

  return {
    show: run,
    flash: function (s: 'queued' | 'delivered') {
      run(s, true);
    },
  };
}
