// The Clock port on Espruino: monotonic ms from getTime(), wall time from Date once SNTP set it.
// getTime() and setWatch's e.time jump when SNTP first sets the clock (from 1970+uptime to
// today). monoMs folds that jump into `skew` so the core's durations stay monotonic; wifi.ts
// polls it while SNTP is pending so the fold happens within 50 ms of the jump. Later SNTP
// resyncs step the clock by under a second and are not corrected.
import type { Clock } from '../ports';

let skew = 0;
let jump = 0;
let last = 0;

/** Seconds on Espruino's system clock (getTime(), e.time) to monotonic milliseconds since boot. */
export function monoMs(sec: number): number {
  let m = sec * 1000 - skew;
  if (m - last > 3e11) {
    jump = m - last;
    skew += jump;
    m = last;
  } else if (m < 0) m += jump; // an edge stamped before the jump, delivered after it
  if (m > last) last = m;
  return m;
}

export const clock: Clock = {
  now: function () {
    return monoMs(getTime());
  },
  wall: function () {
    // Espruino's Date.now() has a fractional part; events carry whole milliseconds.
    const t = Math.floor(Date.now());
    return t > 1500000000000 ? t : null;
  },
  after: function (ms, fn) {
    return setTimeout(fn, ms);
  },
  cancel: function (id) {
    // clearTimeout(undefined) throws on 2v29 (and clearTimeout() would clear every timer).
    if (id !== undefined) clearTimeout(id);
  },
};
