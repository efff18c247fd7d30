// A deterministic clock for firmware core tests: time moves only when the test says so.
import type { Clock } from '../../firmware/ports';

export interface FakeClock extends Clock {
  /** Move time forward, firing due timers in order (timers set by timers fire too). */
  advance(ms: number): void;
  setWall(epochMs: number | null): void;
  pending(): number;
}

export function createFakeClock(start = 0): FakeClock {
  let t = start;
  let wallOffset: number | null = null;
  let nextId = 1;
  const timers: { id: number; at: number; fn: () => void }[] = [];
  const clock: FakeClock = {
    now: () => t,
    wall: () => (wallOffset === null ? null : wallOffset + t),
    after(ms, fn) {
      const id = nextId++;
      timers.push({ id, at: t + Math.max(0, ms), fn });
      return id;
    },
    cancel(id) {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        let due: (typeof timers)[number] | undefined;
        for (const x of timers) if (x.at <= end && (!due || x.at < due.at || (x.at === due.at && x.id < due.id))) due = x;
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        t = due.at;
        due.fn();
      }
      t = end;
    },
    setWall(epochMs) {
      wallOffset = epochMs === null ? null : epochMs - t;
    },
    pending: () => timers.length,
  };
  return clock;
}
