// Maintenance mode in the app core, on a fake clock: the doors are shut at boot and on every Wi-Fi
// (re)connect, a MAINTENANCE click opens the console for exactly maintenanceS, any other click or the
// window's end closes it, and the window has its own LED pattern.
import { startApp, AppEv } from '../../firmware/core/app';
import { loadConfig } from '../../firmware/core/config';
import { createFakeClock } from '../support/fake-clock';
import { createFakeStore } from '../support/fake-store';

function app(maintenanceS = 600) {
  const clock = createFakeClock();
  const doors: number[] = [];
  const lines: string[] = [];
  const led: boolean[] = [];
  const cfg = loadConfig({ thing: 't', mqtt: { transport: 'tcp', port: 1883 }, healthS: 0, maintenanceS }, () => {}).cfg;
  const connect = () => {
    throw new Error('offline in this test');
  };
  const a = startApp(cfg, '0', {
    clock,
    store: createFakeStore(),
    connect: connect as never,
    log: (l) => lines.push(l),
    digitalWrite: (_p, level) => led.push(level),
    memory: () => ({ free: 1000 }),
    doors: (o) => doors.push(o),
  });
  return { a, clock, doors, lines, led };
}

test('the doors are shut again on every Wi-Fi (re)connect (at boot the Wi-Fi glue shuts them)', () => {
  const x = app();
  expect(x.doors).toEqual([]);
  x.a(AppEv.WifiUp);
  x.a(AppEv.WifiDown, '');
  x.a(AppEv.WifiUp);
  expect(x.doors).toEqual([0, 0]);
});

test('on the device the doors port is handed over after boot (AppEv.Doors)', () => {
  const x = app();
  const late: number[] = [];
  x.a(AppEv.Doors, (o) => late.push(o));
  x.a(AppEv.WifiUp);
  expect(late).toEqual([0]);
});

test('a MAINTENANCE click opens the console for exactly maintenanceS, queues the event, and the window closes it', () => {
  const x = app(60);
  x.a(AppEv.WifiUp);
  x.a('MAINTENANCE');
  expect(x.doors).toEqual([0, 1]);
  expect(x.lines).toContain('maintenance: LAN console open for 60 s');
  expect(x.lines.some((l) => /^press MAINTENANCE seq 1 queued/.test(l))).toBe(true);
  // A reconnect during the window keeps the console open (the AP is shut either way).
  x.a(AppEv.WifiDown, '');
  x.a(AppEv.WifiUp);
  expect(x.doors).toEqual([0, 1, 1]);
  x.clock.advance(59999);
  expect(x.doors[x.doors.length - 1]).toBe(1);
  x.clock.advance(1);
  expect(x.doors[x.doors.length - 1]).toBe(0);
  expect(x.lines).toContain('maintenance: LAN console closed');
  x.a(AppEv.WifiDown, '');
  x.a(AppEv.WifiUp);
  expect(x.doors[x.doors.length - 1]).toBe(0);
});

test('a click during the window closes it early and is not an event; a new hold restarts the window', () => {
  const x = app(60);
  x.a('MAINTENANCE');
  x.clock.advance(30000);
  x.a('MAINTENANCE'); // held again: 60 s from now
  x.clock.advance(59000);
  expect(x.doors[x.doors.length - 1]).toBe(1);
  x.a('SINGLE');
  expect(x.doors[x.doors.length - 1]).toBe(0);
  expect(x.lines.filter((l) => /queued/.test(l))).toHaveLength(2); // the two MAINTENANCE events only
  x.clock.advance(120000);
  expect(x.doors.filter((d) => d === 0)).toHaveLength(1); // the click: the cancelled timer never ran
});

test('the LED shows its own pattern (100 ms dark, 900 ms lit) while the window is open', () => {
  const x = app(60);
  x.a('MAINTENANCE');
  x.led.splice(0);
  x.clock.advance(3000);
  // Active-low LED: false = lit. Transitions every 100/900 ms after the queued flash.
  const lit = x.led.filter((l) => l === false).length;
  expect(lit).toBeGreaterThanOrEqual(2);
  x.a('SINGLE');
  x.led.splice(0);
  x.clock.advance(1000);
  expect(x.led.length).toBe(2); // back to the slow "looking for Wi-Fi" blink: one change per 500 ms
  expect([...x.led].sort()).toEqual([false, true]);
});

test('bad input: maintenanceS 0 opens nothing and queues nothing', () => {
  const x = app(0);
  x.a('MAINTENANCE');
  expect(x.doors).toEqual([]);
  expect(x.lines).toEqual(['maintenance: off (maintenanceS is 0)']);
});
