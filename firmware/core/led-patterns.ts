// Blink patterns for the one status LED: a looping base state plus one-shot flashes, one timer at a time.
// It writes the pin through a port shaped like Espruino's digitalWrite (the device passes that
// function itself: no glue closure), and keeps no table in RAM: patterns are string literals in code.
import type { Clock } from '../ports';

export type LedState = 'wifi' | 'mqtt' | 'online' | 'queued' | 'delivered' | 'error' | 'maint' | 'off';

/**
 * `led(state)` sets the looping base state; showing the state already shown keeps its rhythm (no
 * restart). `led('queued' | 'delivered', true)` plays that pattern once, then goes back to the base
 * state (or to a base set meanwhile). One function, not an object of methods: each function object
 * costs device RAM.
 */
export type Led = (state: LedState, flash?: boolean) => void;

// A pattern is durations in 10 ms units, space-separated, alternating dark, lit, dark, lit...
// Starting dark means a flash is visible even when the base had the LED lit, and a state change
// shows as a gap before the new rhythm. Looping patterns have an even count so the phase holds.
//   wifi      500 dark / 500 lit: slow blink, "looking for the network"
//   mqtt      100 dark / 100 lit: fast blink, "network up, reaching the broker"
//   online    a 30 ms blip every 5 s. Not solid off: off must keep meaning "not running", and a
//             heartbeat proves the firmware is alive. The cost is 0.6% LED duty (tens of
//             microamps averaged) next to ~70 mA for the radio, which stays on for MQTT anyway.
//   error     three 150 ms pulses, then 800 ms dark, forever: unlike any steady blink
//   maint     100 dark / 900 lit: mostly lit, "the LAN console is open" (maintenance mode)
//   queued    one 50 ms flash (transient)
//   delivered two 50 ms flashes (transient)
//   off       dark, no timer
/**
 * `write` is digitalWrite; `activeLow`: the LED lights when the pin is low (the ESP-12's GPIO2).
 * With `once` (the device's boot, which makes one LED) the factory frees its own function object.
 */
export let createLed = function (write: (pin: string, level: boolean) => void, pin: string, activeLow: boolean, clock: Clock, once?: 1): Led {
  if (once) createLed = 0 as never; // a top-level function would otherwise stay in RAM for good
  // 0/1, not a boolean: in a scope a boolean takes 2 JsVars, a small integer 1 (measured on 2v29).
  // The parameter itself is reused: a new local would be one more name.
  activeLow = (activeLow ? 1 : 0) as never;
  let base: string | undefined; // undefined until the first show()
  let cur = ''; // the pattern playing: base, or a transient
  let pos = 0; // next character of cur to read
  let lit = 0; // 1 while lit (a number costs less RAM than a boolean)
  let tr = 0; // 1 while cur is a transient
  let tm = 0; // 0 when no timer (timer ids are never 0)

  // One function is the base setter, the flash (flash = true) and the timer callback (no arguments):
  // every function object costs device RAM for the life of the LED. Measured on Espruino 2v29,
  // this shape costs about 36 JsVars where separate step/play/show helpers cost 59.
  function run(s?: LedState, flash?: boolean) {
    if (s) {
      // 'off' (and anything unknown) is the empty pattern. The object exists only for this call.
      const p: string = ({ wifi: '50 50', mqtt: '10 10', online: '497 3', error: '80 15 15 15 15 15', maint: '10 90', queued: '10 5 10', delivered: '10 5 10 5 10' } as any)[s] || '';
      if (flash) tr = 1;
      else {
        if (p === base) return;
        base = p;
        // A flash in progress finishes first (it is under half a second), then returns to this base.
        if (tr) return;
      }
      if (tm) clock.cancel(tm);
      cur = p;
      pos = 0; // an empty pattern ends at once and falls through to the base (or dark) below
      lit = 1;
    }
    tm = 0;
    if (pos >= cur.length) {
      // End of the pattern: loop the base, or return to it after a transient.
      tr = 0;
      cur = base || '';
      pos = 0;
      lit = 1; // toggled to dark by the first duration below
      if (!cur) {
        lit = 0;
        write(pin, !!activeLow);
        return;
      }
    }
    let n = 0;
    while (pos < cur.length) {
      const c = cur.charCodeAt(pos++);
      if (c === 32) break;
      n = n * 10 + c - 48;
    }
    lit = 1 - lit;
    write(pin, !!(lit ^ (activeLow as never))); // lit and active low: false, the pin low
    tm = clock.after(n * 10, run);
  }

  return run;
};
