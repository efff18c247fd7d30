// The device's system time (jshGetSystemTime): seconds since power-on until something sets it.
// setTime() and SNTP jump it (jswrap_interactive_setTime); timers are relative and do not notice.

export interface DeviceClock {
  /** getTime(): seconds, with sub-millisecond resolution. */
  seconds(): number;
  /** Date.now() on the device. */
  ms(): number;
  /** setTime(): jump the clock to this many seconds. */
  set(seconds: number): void;
  /** True once setTime/SNTP has set the clock. */
  readonly isSet: boolean;
}

export function createClock(hostNow: () => number = () => performance.now()): DeviceClock {
  const bootAt = hostNow();
  let offset = 0;
  let isSet = false;
  const seconds = (): number => (hostNow() - bootAt) / 1000 + offset;
  return {
    seconds,
    ms: () => seconds() * 1000,
    set(s) {
      offset += s - seconds();
      isSet = true;
    },
    get isSet() {
      return isSet;
    },
  };
}
