// Button edges become SINGLE / DOUBLE / LONG at the right moments, bounce is ignored, one timer at most.
// Edges arrive as setWatch reports them: the pin level and the edge's own timestamp.
import type { Clock } from '../../firmware/ports';
import { createGestures, type ClickType, type GestureOptions } from '../../firmware/core/gestures';
import { createFakeClock } from '../support/fake-clock';

const DEFAULTS: GestureOptions = { debounceMs: 50, doubleMs: 400, longMs: 1500, gestures: true };

/**
 * A button on a fake clock. `at(t, pressed)` moves time to t (firing due timers) and delivers the edge
 * stamped t. `timerLateBy` makes every timer fire that much after it was asked to, as a busy device does.
 */
function button(over: Partial<GestureOptions> = {}, timerLateBy = 0) {
  const fake = createFakeClock();
  let maxPending = 0;
  const clock: Clock = {
    // Edges carry setWatch's e.time (seconds); the device's clock turns it into its milliseconds.
    now: (sec) => (sec === undefined ? fake.now() : Math.round(sec * 1000)),
    wall: fake.wall,
    cancel: fake.cancel,
    after(ms, fn) {
      const id = fake.after(ms + timerLateBy, fn);
      maxPending = Math.max(maxPending, fake.pending());
      return id;
    },
  };
  const clicks: [ClickType, number][] = [];
  // The FLASH button is active-low: pressed is the pin at 0.
  const watch = createGestures({ ...DEFAULTS, ...over }, true, clock, (c) => clicks.push([c, fake.now()]));
  const edge = (pressed: boolean, t: number) => watch({ state: !pressed, time: t / 1000 });
  const to = (t: number) => fake.advance(t - fake.now());
  const at = (t: number, pressed: boolean) => {
    to(t);
    edge(pressed, t);
  };
  return { fake, clicks, edge, watch, to, at, maxPending: () => maxPending };
}

describe('single click', () => {
  test('is emitted doubleMs after the release, not before', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.to(499);
    expect(b.clicks).toEqual([]);
    b.to(500);
    expect(b.clicks).toEqual([['SINGLE', 500]]);
    b.to(10000);
    expect(b.clicks).toEqual([['SINGLE', 500]]);
    expect(b.fake.pending()).toBe(0);
  });

  test('a release just under longMs is still a click', () => {
    const b = button();
    b.at(0, true);
    b.at(1499, false);
    b.to(5000);
    expect(b.clicks).toEqual([['SINGLE', 1899]]);
  });

  test('a release with no matching press is ignored', () => {
    const b = button();
    b.at(0, false);
    b.to(3000);
    expect(b.clicks).toEqual([]);
    b.at(3000, true);
    b.at(3100, false);
    b.to(5000);
    expect(b.clicks).toEqual([['SINGLE', 3500]]);
  });

  test('an edge reported late still times from its own timestamp', () => {
    const b = button();
    b.to(30);
    b.edge(true, 0); // the press happened at 0, the glue reports it at 30
    b.to(9999);
    expect(b.clicks).toEqual([]);
    b.to(10000);
    expect(b.clicks).toEqual([['MAINTENANCE', 10000]]);
  });
});

describe('double click', () => {
  test('a second press within doubleMs of the release is emitted at the second release', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(300, true);
    b.to(399);
    expect(b.clicks).toEqual([]);
    b.at(400, false);
    expect(b.clicks).toEqual([['DOUBLE', 400]]);
    b.to(10000);
    expect(b.clicks).toEqual([['DOUBLE', 400]]);
  });

  test('a second press at doubleMs - 1 after the release is a double', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(499, true);
    b.at(600, false);
    b.to(5000);
    expect(b.clicks).toEqual([['DOUBLE', 600]]);
  });

  test('a second press at exactly doubleMs after the release starts a new gesture', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(500, true);
    b.at(600, false);
    b.to(5000);
    expect(b.clicks).toEqual([
      ['SINGLE', 500],
      ['SINGLE', 1000],
    ]);
  });

  test('a third quick press starts a new gesture', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(200, true);
    b.at(300, false);
    b.at(400, true);
    b.at(500, false);
    b.to(5000);
    expect(b.clicks).toEqual([
      ['DOUBLE', 300],
      ['SINGLE', 900],
    ]);
  });

  test('four quick presses are two doubles', () => {
    const b = button();
    for (let i = 0; i < 4; i++) {
      b.at(i * 200, true);
      b.at(i * 200 + 100, false);
    }
    b.to(5000);
    expect(b.clicks).toEqual([
      ['DOUBLE', 300],
      ['DOUBLE', 700],
    ]);
  });

  test('a second press held long is still a double, emitted at its release', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(300, true);
    b.to(5000);
    expect(b.clicks).toEqual([]);
    b.at(5000, false);
    expect(b.clicks).toEqual([['DOUBLE', 5000]]);
  });

  test('a press reported after the window closed, before the late SINGLE timer ran, is a new gesture', () => {
    const b = button({}, 50);
    b.at(0, true);
    b.at(100, false); // window ends at 500, the timer will only run at 550
    b.at(520, true);
    expect(b.clicks).toEqual([['SINGLE', 520]]);
    b.at(600, false);
    b.to(5000);
    expect(b.clicks).toEqual([
      ['SINGLE', 520],
      ['SINGLE', 1050],
    ]);
  });
});

describe('long press', () => {
  test('is emitted on the release of a press held at least longMs (it waits: the hold may become MAINTENANCE)', () => {
    const b = button();
    b.at(0, true);
    b.to(1500);
    expect(b.clicks).toEqual([]);
    b.at(4000, false);
    expect(b.clicks).toEqual([['LONG', 4000]]);
    b.to(20000);
    expect(b.clicks).toEqual([['LONG', 4000]]);
    expect(b.fake.pending()).toBe(0);
  });

  test('a release stamped at longMs that arrives before the late LONG timer ran is a LONG', () => {
    const b = button({}, 50);
    b.at(0, true);
    b.at(1500, false); // the timer is due at 1550
    expect(b.clicks).toEqual([['LONG', 1500]]);
    b.to(20000);
    expect(b.clicks).toEqual([['LONG', 1500]]);
    expect(b.fake.pending()).toBe(0);
  });

  test('a quick press after a long press is a single, not a double', () => {
    const b = button();
    b.at(0, true);
    b.at(2000, false);
    b.at(2100, true);
    b.at(2200, false);
    b.to(10000);
    expect(b.clicks).toEqual([
      ['LONG', 2000],
      ['SINGLE', 2600],
    ]);
  });
});

describe('maintenance hold (10 s)', () => {
  test('a first press held 10 s is MAINTENANCE, at 10 s while still held, and never also a LONG', () => {
    const b = button();
    b.at(0, true);
    b.to(9999);
    expect(b.clicks).toEqual([]);
    b.to(10000);
    expect(b.clicks).toEqual([['MAINTENANCE', 10000]]);
    b.at(15000, false);
    b.to(30000);
    expect(b.clicks).toEqual([['MAINTENANCE', 10000]]);
    expect(b.fake.pending()).toBe(0);
  });

  test('a release stamped at 10 s that arrives before the late timer is MAINTENANCE, not LONG', () => {
    const b = button({}, 80);
    b.at(0, true);
    b.to(1600);
    b.at(10020, false);
    b.to(30000);
    expect(b.clicks).toEqual([['MAINTENANCE', 10020]]);
  });

  test('a 1.5 s press is still a LONG, a 9.9 s one too', () => {
    const b = button();
    b.at(0, true);
    b.at(1600, false);
    b.at(5000, true);
    b.at(14900, false);
    b.to(30000);
    expect(b.clicks).toEqual([['LONG', 1600], ['LONG', 14900]]);
  });

  test('bad input: a 10 s hold as the second press of a double click is a DOUBLE, not MAINTENANCE', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(300, true);
    b.to(20000);
    expect(b.clicks).toEqual([]);
    b.at(20000, false);
    expect(b.clicks).toEqual([['DOUBLE', 20000]]);
  });

  test('with gestures off a press is a SINGLE at once and a 10 s hold adds MAINTENANCE', () => {
    const b = button({ gestures: false });
    b.at(0, true);
    expect(b.clicks).toEqual([['SINGLE', 0]]);
    b.to(10000);
    b.at(12000, false);
    b.at(13000, true);
    b.at(13100, false);
    b.to(30000);
    expect(b.clicks).toEqual([['SINGLE', 0], ['MAINTENANCE', 10000], ['SINGLE', 13000]]);
    expect(b.fake.pending()).toBe(0);
  });
});

describe('bounce', () => {
  test('a bouncing press and a bouncing release make one single', () => {
    const b = button();
    for (const [t, p] of [[0, true], [3, false], [7, true], [12, false], [20, true]] as const) b.at(t, p);
    for (const [t, p] of [[300, false], [302, true], [305, false], [309, true], [330, false]] as const) b.at(t, p);
    b.to(5000);
    expect(b.clicks).toEqual([['SINGLE', 700]]);
  });

  test('a press closer than debounceMs to the release is bounce, not a second click', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(149, true);
    b.at(160, false);
    b.to(5000);
    expect(b.clicks).toEqual([['SINGLE', 500]]);
  });

  test('a press exactly debounceMs after the release counts', () => {
    const b = button();
    b.at(0, true);
    b.at(100, false);
    b.at(150, true);
    b.at(250, false);
    b.to(5000);
    expect(b.clicks).toEqual([['DOUBLE', 250]]);
  });

  test('bounce on a double click still makes one double', () => {
    const b = button();
    const train = (t: number, p: boolean) => [b.at(t, p), b.at(t + 2, !p), b.at(t + 5, p)];
    train(0, true);
    train(100, false);
    train(300, true);
    train(400, false);
    b.to(5000);
    expect(b.clicks).toEqual([['DOUBLE', 400]]);
  });
});

describe('gestures off', () => {
  test('a press is a SINGLE at once; its one timer only watches for the 10 s hold, and the release ends it', () => {
    const b = button({ gestures: false });
    b.at(0, true);
    expect(b.clicks).toEqual([['SINGLE', 0]]);
    expect(b.fake.pending()).toBe(1);
    b.at(100, false);
    expect(b.fake.pending()).toBe(0);
  });

  test('holding long and clicking twice quickly give only singles', () => {
    const b = button({ gestures: false });
    b.at(0, true);
    b.at(5000, false);
    b.at(5100, true);
    b.at(5200, false);
    b.at(5300, true);
    b.at(5400, false);
    b.to(20000);
    expect(b.clicks).toEqual([
      ['SINGLE', 0],
      ['SINGLE', 5100],
      ['SINGLE', 5300],
    ]);
    expect(b.maxPending()).toBe(1);
  });

  test('bounce is still ignored', () => {
    const b = button({ gestures: false });
    for (const [t, p] of [[0, true], [3, false], [7, true], [100, false], [104, true], [108, false]] as const) b.at(t, p);
    expect(b.clicks).toEqual([['SINGLE', 0]]);
  });
});

test('never more than one timer is pending, whatever the edges', () => {
  const b = button();
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let t = 0;
  let pressed = false;
  for (let i = 0; i < 2000; i++) {
    t += Math.floor(rnd() * 2500);
    pressed = rnd() < 0.8 ? !pressed : pressed; // sometimes a repeated level
    b.at(t, pressed);
    expect(b.fake.pending()).toBeLessThanOrEqual(1);
  }
  b.to(t + 20000);
  expect(b.maxPending()).toBe(1);
  expect(b.clicks.length).toBeGreaterThan(100);
});

test('a repeated press means its release was lost: the release is taken at the press, so no press is lost', () => {
  const b = button();
  b.at(0, true);
  b.at(100, false);
  b.at(300, true);
  b.at(350, true); // pressed again: the release in between was lost
  b.at(400, false);
  b.at(450, false); // a repeated release changes nothing
  b.to(5000);
  expect(b.clicks).toEqual([['DOUBLE', 350], ['SINGLE', 800]]);
});

test('a repeated press after a LONG starts a new press; with gestures off it is a new SINGLE', () => {
  const b = button();
  b.at(0, true);
  b.to(1600);
  b.at(2000, true); // the release after the LONG was lost
  b.at(2100, false);
  b.to(5000);
  expect(b.clicks).toEqual([['LONG', 2000], ['SINGLE', 2500]]);
  const off = button({ gestures: false });
  off.at(0, true);
  off.at(200, true);
  off.at(300, false);
  off.at(400, false);
  expect(off.clicks.map((c) => c[0])).toEqual(['SINGLE', 'SINGLE']);
});

test('a release with no press before it (held since boot) is not a click', () => {
  const b = button();
  b.at(100, false);
  b.at(200, false);
  b.to(5000);
  expect(b.clicks).toEqual([]);
});

test('an active-high button reads a high pin as pressed', () => {
  const fake = createFakeClock();
  const clicks: ClickType[] = [];
  const clock: Clock = { now: (sec) => (sec === undefined ? fake.now() : Math.round(sec * 1000)), wall: fake.wall, cancel: fake.cancel, after: fake.after };
  const watch = createGestures({ ...DEFAULTS, gestures: false }, false, clock, (c) => clicks.push(c));
  watch({ state: false, time: 0 });
  expect(clicks).toEqual([]);
  watch({ state: true, time: 1 });
  expect(clicks).toEqual(['SINGLE']);
});

test('with once, the factory frees itself after making the one button the device needs', () => {
  jest.isolateModules(() => {
    const mod = require('../../firmware/core/gestures') as typeof import('../../firmware/core/gestures');
    const h = mod.createGestures(DEFAULTS, true, createFakeClock(), () => {}, 1);
    expect(typeof h).toBe('function');
    expect(mod.createGestures).toBeFalsy(); // 0: shorter in the bundle than undefined
  });
});

test('a press after SNTP stepped the clock back (a resync) is a click, not bounce', () => {
  const clicks: string[] = [];
  let now = 10000;
  const timers: { at: number; fn: () => void }[] = [];
  const clock = {
    now: (sec?: number) => (sec === undefined ? now : Math.floor(sec * 1000)),
    wall: () => null,
    after: (ms: number, fn: () => void) => timers.push({ at: now + ms, fn }),
    cancel: () => {},
  };
  const h = createGestures({ debounceMs: 50, doubleMs: 400, longMs: 1500, gestures: false }, true, clock as never, (c) => clicks.push(c));
  h({ state: false, time: 10.0 });
  h({ state: true, time: 10.08 });
  // The clock is stepped back 0.7 s, then the button is pressed again.
  now = 9600;
  h({ state: false, time: 9.6 });
  h({ state: true, time: 9.68 });
  expect(clicks).toEqual(['SINGLE', 'SINGLE']);
});
