// The app core's dispatch, on a fake clock: only a click (a string) becomes a stored press, and a
// fault ends by its kind (the event that raised it), not by the first letter of its text.
import { startApp, AppEv } from '../../firmware/core/app';
import { Link } from '../../firmware/core/dispatch';
import { loadConfig } from '../../firmware/core/config';
import { createFakeClock } from '../support/fake-clock';
import { createFakeStore } from '../support/fake-store';

function app() {
  const clock = createFakeClock();
  const lines: string[] = [];
  const store = createFakeStore();
  const cfg = loadConfig({ thing: 't', mqtt: { transport: 'tcp', port: 1883 }, healthS: 0 }, () => {}).cfg;
  const a = startApp(cfg, '0', {
    clock,
    store,
    connect: (() => {
      throw new Error('offline in this test');
    }) as never,
    log: (l) => lines.push(l),
    digitalWrite: () => {},
    memory: () => ({ free: 1000 }),
  });
  /** The health line's error="..." (the app logs it when called with no event), '' when none. */
  const fault = () => {
    (a as unknown as () => void)();
    return /error="([^"]*)"/.exec(lines[lines.length - 1]!)?.[1] ?? '';
  };
  const client = (() => 1) as never;
  return { a, lines, fault, client };
}

test('an event number the app does not know is not stored as a press', () => {
  const x = app();
  (x.a as unknown as (ev: number) => void)(99);
  (x.a as unknown as (ev: number) => void)(AppEv.MaintEnd + 100);
  expect(x.lines.filter((l) => l.startsWith('press '))).toEqual([]);
  x.a('SINGLE');
  expect(x.lines.filter((l) => l.startsWith('press '))).toEqual(['press SINGLE seq 1 queued (1 pending)']);
});

test("the broker's refusal ends when a session is up, a Wi-Fi fault when Wi-Fi is", () => {
  const x = app();
  x.a(Link.Down, 'CONNACK 5: not authorized', true);
  expect(x.fault()).toMatch(/^mqtt refused: CONNACK 5/);
  x.a(AppEv.WifiUp);
  expect(x.fault()).toMatch(/^mqtt refused/); // not a Wi-Fi fault
  x.a(Link.Up, x.client, 'h:1');
  expect(x.fault()).toBe('');
  x.a(AppEv.WifiDown, 'wrong password');
  x.a(Link.Up, x.client, 'h:1');
  expect(x.fault()).toBe('wifi: wrong password'); // not the broker's
  x.a(AppEv.WifiUp);
  expect(x.fault()).toBe('');
});

test('a fault from the glue stays, whatever its first letter', () => {
  for (const text of ['missing thing name', 'wifi-like text']) {
    const x = app();
    x.a(AppEv.Fault, text);
    x.a(AppEv.WifiUp);
    x.a(Link.Up, x.client, 'h:1');
    expect(x.fault()).toBe(text);
  }
});
