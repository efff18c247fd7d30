// A bounded fuzz run inside `npm test`: the device's MQTT session (firmware/core/mqtt/client.ts,
// the decoder of everything a broker sends) and the gateway's auth parsers (tools/gateway/auth.ts)
// with random and mutated input. Every kind of case runs; none may throw, misdecode or be accepted
// when it should not; the heap stays flat. `npm run fuzz -- --cases N` runs the same cases longer.
import { runFuzz, runCase } from '../../tools/fuzz/run-fuzz';

test('20,000 device cases: valid streams decode exactly; refused, oversized, mutated and random ones end the session cleanly', () => {
  const r = runFuzz({ cases: 20000, seed: 11, targets: ['device'] });
  expect(r.failures).toEqual([]);
  expect(r.cases).toBe(20000);
  for (const k of ['valid', 'refused', 'oversized', 'mutated', 'random']) expect(r.kinds[`device/${k}`]).toBeGreaterThan(500);
  expect(r.heapEndMB - r.heapWarmMB).toBeLessThan(32);
});

test('20,000 gateway auth cases: valid passwords and tags pass, changed ones, replays and random bytes do not', () => {
  const r = runFuzz({ cases: 20000, seed: 12, targets: ['gateway-auth'] });
  expect(r.failures).toEqual([]);
  for (const k of ['connect-valid', 'connect-mutated', 'connect-identity', 'connect-random', 'tag-valid', 'tag-mutated', 'tag-elsewhere', 'tag-random', 'publish-decision'])
    expect(r.kinds[`gateway-auth/${k}`]).toBeGreaterThan(500);
});

test('a case replays alone from its seed, with the same outcome', () => {
  for (const seed of [1, 99, 123456789]) {
    expect(runCase('device', seed)).toEqual(runCase('device', seed));
    expect(runCase('gateway-auth', seed)).toEqual(runCase('gateway-auth', seed));
  }
});
