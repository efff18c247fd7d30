// The simulated serial line: bytes keep their order, each direction carries no more than its rate,
// and delivery waits for the last byte of each slice plus the latency. Runs on fake timers.
import { createThrottledTransport } from '../../tools/device/throttled-transport';
import type { Transport } from '../../tools/device/link';

function fakeInner() {
  const written: { at: number; data: string }[] = [];
  let onData: (d: Buffer) => void = () => {};
  let onClose: (why: string) => void = () => {};
  const t: Transport = {
    name: 'fake',
    write: (d) => written.push({ at: performance.now(), data: Buffer.from(d as Buffer).toString('latin1') }),
    onData: (fn) => (onData = fn),
    onClose: (fn) => (onClose = fn),
    close: async () => {},
  };
  return { t, written, fromDevice: (s: string) => onData(Buffer.from(s, 'latin1')), drop: (why: string) => onClose(why) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('1000 bytes at 100 bytes/s reach the device over 10 s, in order, counted once', () => {
  const inner = fakeInner();
  const line = createThrottledTransport(inner.t, { bytesPerSecond: 100, latencyMs: 0 });
  const start = performance.now();
  const data = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + (i % 90))).join('');
  line.write(data);
  jest.advanceTimersByTime(5000);
  const half = inner.written.map((w) => w.data).join('').length;
  expect(half).toBeLessThanOrEqual(500);
  expect(half).toBeGreaterThan(400);
  jest.advanceTimersByTime(5001);
  expect(inner.written.map((w) => w.data).join('')).toBe(data);
  expect(inner.written[inner.written.length - 1].at - start).toBeCloseTo(10000, -1);
  expect(line.stats).toEqual({ toDevice: 1000, fromDevice: 0 });
});

test('the way back has its own rate and latency, and a second write queues behind the first', () => {
  const inner = fakeInner();
  const line = createThrottledTransport(inner.t, { bytesPerSecond: 1000, latencyMs: 7 });
  const got: { at: number; data: string }[] = [];
  const start = performance.now();
  line.onData((d) => got.push({ at: performance.now() - start, data: d.toString('latin1') }));
  inner.fromDevice('a'.repeat(10));
  inner.fromDevice('b'.repeat(10));
  jest.advanceTimersByTime(100);
  expect(got.map((g) => g.data).join('')).toBe('a'.repeat(10) + 'b'.repeat(10));
  // 10 bytes = 10 ms on the line, then 7 ms latency; the second slice follows the first.
  expect(got[0].at).toBeGreaterThanOrEqual(17);
  expect(got[got.length - 1].at).toBeGreaterThanOrEqual(27);
  expect(line.stats.fromDevice).toBe(20);
});

test('close stops deliveries still on the line; a dropped link is reported', async () => {
  const inner = fakeInner();
  const line = createThrottledTransport(inner.t, { bytesPerSecond: 10 });
  const reasons: string[] = [];
  line.onClose((why) => reasons.push(why));
  line.write('0123456789');
  inner.drop('cable pulled');
  expect(reasons).toEqual(['cable pulled']);
  await line.close();
  jest.advanceTimersByTime(5000);
  expect(inner.written).toEqual([]);
});
