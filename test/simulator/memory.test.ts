// process.memory() is an ESTIMATE of Espruino JsVars (tools/simulator/memory-estimate.ts): it must be
// labelled as one and move the right way as firmware keeps or drops data.
import { makeDevice, type TestDevice } from './helpers';

let t: TestDevice;
beforeEach(() => {
  t = makeDevice();
  t.device.boot();
});
afterEach(async () => {
  await t.device.close();
});

const usage = (): number => t.device.memory().usage;

test('process.memory() is labelled an estimate and an empty boot is near 55 JsVars of 1600', () => {
  const m = t.device.evaluate('process.memory()') as Record<string, unknown>;
  expect(m).toMatchObject({ total: 1600, estimate: true, blocksize: 12 });
  expect(m.usage).toBeGreaterThanOrEqual(50);
  expect(m.usage).toBeLessThan(70);
  expect((m.free as number) + (m.usage as number)).toBe(1600);
});

test('a 100-character string kept in an array costs about 14 JsVars (ESPRUINO.md)', () => {
  t.device.evaluate('var q = [];');
  const before = usage();
  t.device.evaluate('for (var i = 0; i < 70; i++) q.push(new Array(101).join(String.fromCharCode(65 + (i % 26))));');
  const per = (usage() - before) / 70;
  expect(per).toBeGreaterThanOrEqual(13);
  expect(per).toBeLessThanOrEqual(15);
  t.device.evaluate('q = undefined');
  expect(usage()).toBeLessThanOrEqual(before + 1);
});

test('variables captured by a closure are counted, once per scope', () => {
  const before = usage();
  t.device.evaluate('function mk() { var big = new Array(201).join("z"); return function () { return big.length; }; } var keep = mk();');
  const withClosure = usage() - before;
  expect(withClosure).toBeGreaterThan(25);
  t.device.evaluate('var also = keep;');
  expect(usage() - before).toBeLessThanOrEqual(withClosure + 1);
});

test('timers and watches held by the board are counted', () => {
  const before = usage();
  t.device.evaluate('setInterval(function () {}, 1000); setWatch(function () {}, D0, true);');
  expect(usage() - before).toBeGreaterThanOrEqual(16);
});
