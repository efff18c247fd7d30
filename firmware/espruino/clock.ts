// The Clock port on Espruino: monotonic ms from getTime(), wall time from Date once SNTP set it.
// getTime() and setWatch's e.time jump when SNTP first sets the clock (from 1970+uptime to
// today). monoMs folds that jump into `skew` so the core's durations stay monotonic. It must be
// sampled shortly before the jump to fold out no real time: every timer armed samples it, and the
// LED re-arms its timer every 0.1..5 s (every 0.1 s while MQTT connects, which is when SNTP answers).
// Later SNTP resyncs step the clock by under a second and are not corrected.
import type { Clock } from '../ports';

// Espruino's global, declared here too so host tests that load this file (test/faults) typecheck.
declare function getTime(): number;

let skew = 0;
let jump = 0;
let last = 0;

/** Seconds on Espruino's system clock (e.time, or getTime() when not given) to monotonic milliseconds since boot. */
function monoMs(sec?: number): number {
  // Whole milliseconds: an integer costs one JsVar where a fraction costs two.
  let m = Math.floor((sec === undefined ? getTime() : sec) * 1000 - skew);
  if (m - last > 3e11) {
    jump = m - last;
    skew += jump;
    m = last;
  } else if (m < 0) m += jump; // an edge stamped before the jump, delivered after it
  if (m > last) last = m;
  return m;
}

export const clock: Clock = {
  now: monoMs,
  wall: function () {
    // Espruino's Date.now() has a fractional part; events carry whole milliseconds.
    const t = Math.floor(Date.now());
    return t > 1500000000000 ? t : null;
  },
  after: function (ms, fn) {
    monoMs();
    return setTimeout(fn, ms) as unknown as number;
  },
  // Espruino's own: the core never cancels without a timer id (clearTimeout(undefined) throws on
  // 2v29, and clearTimeout() would clear every timer).
  cancel: clearTimeout as (id: number | undefined) => void,
};
