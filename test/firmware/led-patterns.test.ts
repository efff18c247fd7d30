// Each LED state has its own visible rhythm; flashes return to the base; one timer at most, always.
import type { Clock } from '../../firmware/ports';
import { createLed, type LedState } from '../../firmware/core/led-patterns';
import { createFakeClock } from '../support/fake-clock';

/** An LED on a fake clock that records every write and the most timers ever pending. */
function led() {
  const fake = createFakeClock();
  let maxPending = 0;
  const clock: Clock = {
    now: fake.now,
    wall: fake.wall,
    cancel: fake.cancel,
    after(ms, fn) {
      const id = fake.after(ms, fn);
      maxPending = Math.max(maxPending, fake.pending());
      return id;
    },
  };
  const writes: [number, boolean][] = [];
  // The ESP-12's LED is active-low: lit is the pin at 0.
  const l = createLed((pin, level) => pin === 'D2' && writes.push([fake.now(), !level]), 'D2', true, clock);
  return { fake, writes, led: l, maxPending: () => maxPending, to: (t: number) => fake.advance(t - fake.now()) };
}

/** The lit intervals [from, to) in the window [start, end), from a write log. */
function litSpans(writes: [number, boolean][], start: number, end: number): [number, number][] {
  const spans: [number, number][] = [];
  let on: number | undefined;
  for (const [t, lit] of writes) {
    if (t >= end) break;
    if (lit && on === undefined) on = t;
    if (!lit && on !== undefined) {
      if (t > start) spans.push([Math.max(on, start), t]);
      on = undefined;
    }
  }
  if (on !== undefined) spans.push([Math.max(on, start), end]);
  return spans;
}

function timeline(state: LedState, ms: number) {
  const h = led();
  h.led(state);
  h.to(ms);
  return { ...h, spans: litSpans(h.writes, 0, ms) };
}

describe('base states', () => {
  test('wifi is a slow blink, 500 ms dark then 500 ms lit', () => {
    expect(timeline('wifi', 3000).spans).toEqual([
      [500, 1000],
      [1500, 2000],
      [2500, 3000],
    ]);
  });

  test('mqtt is a fast blink, 100 ms dark then 100 ms lit', () => {
    const s = timeline('mqtt', 1000).spans;
    expect(s).toEqual([100, 300, 500, 700, 900].map((t) => [t, t + 100]));
  });

  test('online is a 30 ms heartbeat every 5 s', () => {
    expect(timeline('online', 15000).spans).toEqual([
      [4970, 5000],
      [9970, 10000],
      [14970, 15000],
    ]);
  });

  test('error is three 150 ms pulses and an 800 ms pause, repeating indefinitely', () => {
    const h = timeline('error', 600000);
    expect(h.spans.slice(0, 6)).toEqual([
      [800, 950],
      [1100, 1250],
      [1400, 1550],
      [2350, 2500],
      [2650, 2800],
      [2950, 3100],
    ]);
    // Ten minutes later it is still going, on the same 1.55 s cycle.
    const cycles = Math.floor(600000 / 1550);
    expect(h.spans.length).toBeGreaterThanOrEqual(cycles * 3);
    expect(h.fake.pending()).toBe(1);
  });

  test('off writes dark once and sets no timer', () => {
    const h = timeline('off', 10000);
    expect(h.writes).toEqual([[0, false]]);
    expect(h.fake.pending()).toBe(0);
  });

  test('every base state looks different from every other', () => {
    const states: LedState[] = ['wifi', 'mqtt', 'online', 'error', 'off'];
    const looks = states.map((s) => JSON.stringify(timeline(s, 12000).spans));
    expect(new Set(looks).size).toBe(states.length);
  });
});

describe('flashes', () => {
  test('queued is one 50 ms flash, then the base pattern again from its start', () => {
    const h = led();
    h.led('online');
    h.to(1000);
    h.led('queued', true);
    h.to(8000);
    expect(litSpans(h.writes, 1000, 8000)).toEqual([
      [1100, 1150],
      [1250 + 4970, 1250 + 5000],
    ]);
  });

  test('delivered is two 50 ms flashes, then the base', () => {
    const h = led();
    h.led('mqtt');
    h.to(1000);
    h.led('delivered', true);
    h.to(1550);
    expect(litSpans(h.writes, 1000, 1550)).toEqual([
      [1100, 1150],
      [1250, 1300],
      [1500, 1550],
    ]);
  });

  test('queued and delivered look different', () => {
    const look = (s: 'queued' | 'delivered') => {
      const h = led();
      h.led('off');
      h.led(s, true);
      h.to(2000);
      return litSpans(h.writes, 0, 2000);
    };
    expect(look('queued')).toEqual([[100, 150]]);
    expect(look('delivered')).toEqual([
      [100, 150],
      [250, 300],
    ]);
  });

  test('a flash is visible even while the base has the LED lit', () => {
    const h = led();
    h.led('wifi');
    h.to(700); // lit since 500
    h.led('queued', true);
    expect(h.writes[h.writes.length - 1]).toEqual([700, false]);
    h.to(800);
    expect(h.writes[h.writes.length - 1]).toEqual([800, true]);
  });

  test('a state shown during a flash takes over when the flash ends', () => {
    const h = led();
    h.led('online');
    h.led('delivered', true);
    h.to(100);
    h.led('error');
    h.to(1400); // the flash ends at 400; error starts with 800 ms dark
    expect(litSpans(h.writes, 0, 1400)).toEqual([
      [100, 150],
      [250, 300],
      [1200, 1350],
    ]);
  });

  test('a flash before any state goes dark when it ends', () => {
    const h = led();
    h.led('queued', true);
    h.to(10000);
    expect(h.writes[h.writes.length - 1]).toEqual([250, false]);
    expect(h.fake.pending()).toBe(0);
  });

  test('a flash during a flash restarts it', () => {
    const h = led();
    h.led('off');
    h.led('queued', true);
    h.to(120);
    h.led('delivered', true);
    h.to(2000);
    expect(litSpans(h.writes, 0, 2000)).toEqual([
      [100, 120],
      [220, 270],
      [370, 420],
    ]);
  });
});

describe('switching', () => {
  test('switching state cancels the old rhythm at once', () => {
    const h = led();
    h.led('wifi');
    h.to(250);
    h.led('mqtt');
    expect(h.fake.pending()).toBe(1);
    h.to(1100);
    expect(litSpans(h.writes, 250, 1100)).toEqual([350, 550, 750, 950].map((t) => [t, t + 100]));
  });

  test('showing the state already shown keeps its rhythm', () => {
    const h = led();
    h.led('wifi');
    h.to(250);
    h.led('wifi');
    h.to(1000);
    expect(litSpans(h.writes, 0, 1000)).toEqual([[500, 1000]]);
  });

  test('exactly one timer is pending through any mix of states and flashes', () => {
    const h = led();
    const states: LedState[] = ['wifi', 'mqtt', 'online', 'error', 'off', 'queued', 'delivered'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1000; i++) {
      const s = states[Math.floor(rnd() * states.length)];
      if ((s === 'queued' || s === 'delivered') && rnd() < 0.8) h.led(s, true);
      else h.led(s);
      expect(h.fake.pending()).toBeLessThanOrEqual(1);
      h.to(h.fake.now() + Math.floor(rnd() * 3000));
    }
    expect(h.maxPending()).toBe(1);
  });
});

test('an active-high LED is lit by a high pin', () => {
  const fake = createFakeClock();
  const levels: boolean[] = [];
  const l = createLed((_pin, level) => levels.push(level), 'D5', false, fake);
  l('wifi');
  fake.advance(999); // 500 ms dark, then lit
  expect(levels).toEqual([false, true]);
});
