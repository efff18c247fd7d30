// Pins, NodeMCU names, the LED and setWatch's edge/repeat/debounce semantics (jswrap_io.c, jsinteractive.c).
import { deviceForEachTest, fixture, sleep, waitFor } from './helpers';

const t = deviceForEachTest({}, false);

test('NodeMCU silk-screen names map to Espruino GPIO pins', () => {
  t.device.boot();
  expect(t.device.evaluate('NodeMCU.D3 === D0 && NodeMCU.D4 === D2 && NodeMCU.D0 === D16 && NodeMCU.D1 === D5 && NodeMCU.D2 === D4')).toBe(true);
  expect(t.device.evaluate('[NodeMCU.D5, NodeMCU.D6, NodeMCU.D7, NodeMCU.D8, NodeMCU.D9, NodeMCU.D10].map(String).join()')).toBe('D14,D12,D13,D15,D3,D1');
  expect(t.device.evaluate('D2 instanceof Pin && Pin(2) === D2 && String(D2)')).toBe('D2');
  expect(t.device.evaluate('typeof LED1 + typeof BTN1')).toBe('undefinedundefined');
});

test('the LED follows GPIO2 and is lit when low', () => {
  const seen: boolean[] = [];
  t.device.onLed((lit) => seen.push(lit));
  t.device.boot();
  t.device.evaluate('digitalWrite(D2, 0)');
  expect(t.device.pinLevel('D2')).toBe(0);
  t.device.evaluate('D2.set()');
  t.device.evaluate('digitalWrite(NodeMCU.D4, false)');
  expect(seen).toEqual([true, false, true]);
  expect(t.device.evaluate('getPinMode(D2)')).toBe('output');
});

test('the button reads high when released and low when pressed', () => {
  t.device.boot();
  expect(t.device.evaluate('digitalRead(D0)')).toBe(1);
  t.device.setPin('D0', 0);
  expect(t.device.evaluate('digitalRead(D0)')).toBe(0);
  expect(t.device.evaluate('D0.read()')).toBe(false);
});

test('the blinky fixture toggles the LED on each debounced press', async () => {
  t.device.storage.write('.bootcde', fixture('blinky.js'));
  const led: boolean[] = [];
  t.device.onLed((lit) => led.push(lit));
  t.device.boot();
  expect(t.output()).toContain('blinky ready');
  await t.device.press(60);
  await waitFor(() => t.output().includes('press 1'), 'first press');
  await sleep(60); // let the release settle: a press within the debounce time would be a bounce
  await t.device.press(60);
  await waitFor(() => t.output().includes('press 2'), 'second press');
  expect(t.output()).toContain('press 1 state=false');
  expect(led).toEqual([true, false]);
});

test('without debounce every edge runs the callback with state, time, lastTime and pin', async () => {
  t.device.boot();
  t.device.evaluate('var E1 = []; setWatch(function (e) { E1.push(e); }, D0, { repeat: true, edge: "both" });');
  t.device.setPin('D0', 0);
  t.device.setPin('D0', 1);
  await waitFor(() => (t.device.evaluate('E1.length') as number) === 2, 'two edges');
  const ev = t.device.evaluate('E1.map(function (e) { return [e.state, typeof e.time, e.lastTime, String(e.pin)]; })') as unknown[][];
  expect(ev[0]).toEqual([false, 'number', undefined, 'D0']);
  expect(ev[1][0]).toBe(true);
  expect(t.device.evaluate('E1[1].lastTime === E1[0].time && E1[1].time >= E1[0].time')).toBe(true);
});

test('watch times are getTime() seconds at the edge', async () => {
  t.device.boot();
  t.device.evaluate('var T; setWatch(function (e) { T = [e.time, getTime()]; }, D0, { edge: "falling" });');
  t.device.setPin('D0', 0);
  await waitFor(() => t.device.evaluate('T !== undefined') === true, 'callback');
  const [time, now] = t.device.evaluate('T') as number[];
  expect(time).toBeLessThanOrEqual(now);
  expect(now - time).toBeLessThan(1);
});

test('a non-repeating watch fires once and its id is gone', async () => {
  t.device.boot();
  const id = t.device.evaluate('var n = 0; setWatch(function () { n++; }, D0, false)');
  expect(id).toBe(1);
  t.device.setPin('D0', 0);
  t.device.setPin('D0', 1);
  await waitFor(() => t.device.evaluate('n') === 1, 'one call');
  await sleep(20);
  expect(t.device.evaluate('n')).toBe(1);
  expect(() => t.device.evaluate('clearWatch(1)')).toThrow('Unknown Watch 1');
});

test('with debounce, bounces collapse into one call reporting the last edge before the level settled', async () => {
  t.device.boot();
  t.device.evaluate('var D = []; setWatch(function (e) { D.push([e.state, e.time]); }, D0, { repeat: true, edge: "falling", debounce: 40 });');
  const t0 = t.device.evaluate('getTime()') as number;
  t.device.setPin('D0', 0);
  await sleep(10);
  t.device.setPin('D0', 1);
  await sleep(10);
  t.device.setPin('D0', 0); // stays low from here
  const tLast = t.device.evaluate('getTime()') as number;
  await waitFor(() => t.device.evaluate('D.length') === 1, 'debounced call');
  await sleep(60);
  const calls = t.device.evaluate('D') as [boolean, number][];
  expect(calls.length).toBe(1);
  expect(calls[0][0]).toBe(false);
  // jsinteractive.c: each edge moves the debounce timer, so `time` is the LAST edge, not the first
  expect(calls[0][1]).toBeGreaterThan(t0 + 0.015);
  expect(Math.abs(calls[0][1] - tLast)).toBeLessThan(0.01);
});

test('a bounce that returns to the old level within the debounce time is ignored', async () => {
  t.device.boot();
  t.device.evaluate('var C = 0; setWatch(function () { C++; }, D0, { repeat: true, edge: "both", debounce: 30 });');
  t.device.setPin('D0', 0);
  await sleep(5);
  t.device.setPin('D0', 1);
  await sleep(80);
  expect(t.device.evaluate('C')).toBe(0);
});

test('debounce runs from each edge\'s own timestamp: a host that handles edges late does not merge two clean edges into a bounce', async () => {
  t.device.boot();
  t.device.evaluate('var S = []; setWatch(function (e) { S.push(e.state); }, D0, { repeat: true, edge: "both", debounce: 20 });');
  t.device.setPin('D0', 0);
  await waitFor(() => t.device.evaluate('S.length') === 1, 'the press');
  // Release, then the host stalls 60 ms (a loaded machine) before it can handle anything, and the
  // next press lands: the release had been stable 60 ms by its stamp, three times the debounce.
  t.device.setPin('D0', 1);
  const until = performance.now() + 60;
  while (performance.now() < until); // the stall: no timer or edge can run
  t.device.setPin('D0', 0);
  await waitFor(() => t.device.evaluate('S.length') === 3, 'the release and the second press');
  expect(t.device.evaluate('S')).toEqual([false, true, false]);
});

test('clearWatch guards and GPIO16 cannot be watched', () => {
  t.device.boot();
  expect(() => t.device.evaluate('clearWatch(undefined)')).toThrow('clearWatch(undefined) not allowed. Use clearWatch() instead');
  expect(t.device.evaluate('setWatch(function () {}, D16, true)')).toBeUndefined();
  expect(t.output()).toMatch(/WARNING: Unable to set watch/);
  expect(() => t.device.evaluate('setWatch(function () {}, D0, { edge: "up" })')).toThrow(/'edge' in setWatch should be/);
  expect(t.device.evaluate('setWatch(function () {}, D0, true) + setWatch(function () {}, D4, true)')).toBe(3);
  t.device.evaluate('clearWatch()');
  expect(t.device.evaluate('setWatch(function () {}, D0, true)')).toBe(1);
});

test('the SPI flash pins are refused', () => {
  t.device.boot();
  expect(() => t.device.evaluate('digitalWrite(D6, 1)')).toThrow(/SPI flash/);
});
