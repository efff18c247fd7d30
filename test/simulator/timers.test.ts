// Timers with Espruino 2v29 semantics (jswrap_interactive.c) and the time-since-boot clock.
import { deviceForEachTest, sleep, waitFor } from './helpers';

const t = deviceForEachTest();

test('timer ids start at 1 and continue from the newest', () => {
  expect(t.device.evaluate('[setTimeout(function(){}, 1000), setInterval(function(){}, 1000), setTimeout("1", 1000)]')).toEqual([1, 2, 3]);
  t.device.evaluate('clearTimeout(3)');
  expect(t.device.evaluate('setTimeout(function(){}, 1000)')).toBe(3);
  t.device.evaluate('clearTimeout()');
  expect(t.device.evaluate('setTimeout(function(){}, 1000)')).toBe(1);
});

test('clearTimeout(undefined) throws, clearTimeout() clears everything', async () => {
  expect(() => t.device.evaluate('clearTimeout(undefined)')).toThrow('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
  expect(() => t.device.evaluate('clearInterval(undefined)')).toThrow('clearInterval(undefined) not allowed. Use clearInterval() instead');
  t.device.evaluate('var hits = 0; setTimeout(function () { hits++; }, 5); setInterval(function () { hits++; }, 5); clearTimeout();');
  await sleep(30);
  expect(t.device.evaluate('hits')).toBe(0);
});

test('setTimeout passes extra arguments and runs code strings', async () => {
  t.device.evaluate('var got; setTimeout(function (a, b) { got = a + b; }, 1, 2, 3); setTimeout("var s = 42", 1);');
  await waitFor(() => t.device.evaluate('got === 5 && s === 42') === true, 'both timers');
});

test('setInterval repeats until cleared and changeInterval reschedules it', async () => {
  t.device.evaluate('var n = 0; var id = setInterval(function () { n++; if (n === 3) clearInterval(id); }, 5);');
  await waitFor(() => t.device.evaluate('n') === 3, 'three runs');
  await sleep(30);
  expect(t.device.evaluate('n')).toBe(3);
  expect(() => t.device.evaluate('changeInterval(99, 10)')).toThrow('Unknown Interval');
  t.device.evaluate('var m = 0; var j = setInterval(function () { m++; }, 100000); changeInterval(j, 5);');
  await waitFor(() => (t.device.evaluate('m') as number) >= 2, 'rescheduled interval');
  expect(() => t.device.evaluate('setTimeout(42, 1)')).toThrow('Function or String not supplied!');
});

test('getTime and Date count from power-on until the clock is set', () => {
  const [up, now, year] = t.device.evaluate('[getTime(), Date.now(), new Date().getUTCFullYear()]') as number[];
  expect(up).toBeLessThan(60);
  expect(now).toBeLessThan(60000);
  expect(year).toBe(1970);
  t.device.evaluate('setTime(1700000000)');
  expect(t.device.evaluate('new Date().getUTCFullYear()')).toBe(2023);
  expect(t.device.evaluate('Math.floor(getTime())')).toBe(1700000000);
  expect(t.device.evaluate('new Date(2020, 0, 2) instanceof Date')).toBe(true);
});
