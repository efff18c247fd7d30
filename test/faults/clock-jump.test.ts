// A fault of time rather than network or power: SNTP sets the clock (a jump of decades) while the
// button is held. Found by power-loss.test.ts on the exact bundle: a press whose release edge is the
// first thing to see the new time is followed by one lost press. Replayed here deterministically on
// the firmware's own clock (firmware/espruino/clock.ts) and gesture code (firmware/core/gestures.ts).
//
// Why it happened: clock.ts folds the jump into its skew when the first post-jump timestamp arrives,
// and maps that timestamp to the last time it returned, so the release reads as 0 ms after the press.
// gestures.ts drops it as bounce (under debounceMs) and so still believes the button is down; the next
// press then looks like "the same level again" and is dropped too. Its release is taken as the release.
//
// The fix is in gestures.ts: a press while the button is believed down means its release was missed,
// so the release is taken at that press's time. (clock.ts cannot know when within its last sampling
// interval the jump came: Espruino has no clock that SNTP leaves alone.)
import type * as ClockModule from '../../firmware/espruino/clock';
import type * as GesturesModule from '../../firmware/core/gestures';

const EPOCH = 1795000000; // what SNTP sets getTime() to, in seconds

let now = 0;
const g = globalThis as unknown as { getTime?: () => number };
beforeAll(() => {
  g.getTime = () => now;
});
afterAll(() => {
  delete g.getTime;
});

/** A freshly booted device's clock and button (active low, as the NodeMCU's FLASH button). */
function run(edges: { pressed: boolean; at: number }[]): string[] {
  let clock!: typeof ClockModule.clock;
  let createGestures!: typeof GesturesModule.createGestures;
  // Both keep module-level state (the clock's skew; the factory frees itself): load them anew.
  jest.isolateModules(() => {
    clock = (require('../../firmware/espruino/clock') as typeof ClockModule).clock;
    createGestures = (require('../../firmware/core/gestures') as typeof GesturesModule).createGestures;
  });
  const clicks: string[] = [];
  const h = createGestures({ debounceMs: 20, doubleMs: 400, longMs: 1500, gestures: false }, true, clock, (c) => clicks.push(c));
  for (const e of edges) {
    now = e.at;
    h({ state: !e.pressed, time: e.at });
  }
  return clicks;
}

test('three presses, none straddling a clock jump, give three clicks', () => {
  const t = EPOCH + 10;
  expect(run([
    { pressed: true, at: t + 0.1 },
    { pressed: false, at: t + 0.16 },
    { pressed: true, at: t + 0.31 },
    { pressed: false, at: t + 0.37 },
    { pressed: true, at: t + 0.52 },
    { pressed: false, at: t + 0.58 },
  ])).toEqual(['SINGLE', 'SINGLE', 'SINGLE']);
});

test('a press held while SNTP sets the clock does not swallow the next press', () => {
  // Pressed at 0.23 s after boot; SNTP jumps the clock at 0.26 s; released 60 ms after pressing
  // (the first timestamp after the jump); pressed again 125 ms later; and once more.
  expect(run([
    { pressed: true, at: 0.23 },
    { pressed: false, at: EPOCH + 0.29 },
    { pressed: true, at: EPOCH + 0.415 },
    { pressed: false, at: EPOCH + 0.475 },
    { pressed: true, at: EPOCH + 0.625 },
    { pressed: false, at: EPOCH + 0.685 },
  ])).toEqual(['SINGLE', 'SINGLE', 'SINGLE']);
});
