// The simulator refuses and lacks exactly what the build gate's tables say 2v29 does (one source:
// tools/build/espruino-syntax.ts and espruino-library.ts), and runs what the board runs although
// the gate refuses it. Each fact here was checked on the real 2v29 interpreter (docs/espruino.md).
import { builtinStatics, missingGlobals, missingMethods, presentButRefused, staticExists } from '../../tools/build/espruino-library';
import { deviceForEachTest } from './helpers';

const t = deviceForEachTest();

test('syntax 2v29 cannot run is refused, including for await, with, new.target and import()', () => {
  const cases = [
    'async function fa() { for await (var z of []) {} }',
    'function w() { with ({ q: 1 }) { return q } }',
    'function nt() { return new.target }',
    'function im() { return import("x") }',
    'class B { "s"() { return 2 } }',
    'class C { static y }',
  ];
  for (const code of cases) expect(() => t.device.evaluate(code)).toThrow(/cannot run/);
});

test('what the gate refuses but 2v29 runs still runs', () => {
  expect(t.device.evaluate('class A { x = 1 }; new A().x')).toBe(1);
  expect(t.device.evaluate('var o = {}; for (o.p in { a: 1 }); o.p')).toBe('a');
});

test('every global the gate lists as missing is absent, except those 2v29 has', () => {
  for (const name of Object.keys(missingGlobals)) {
    if (name === 'process') continue; // the simulator's own, with only env, memory and version
    expect([name, t.device.evaluate(`typeof ${name}`)]).toEqual([name, presentButRefused.includes(name) ? 'object' : 'undefined']);
  }
  expect(t.device.evaluate('typeof RangeError + typeof EvalError + typeof URIError')).toBe('undefinedundefinedundefined');
});

test('statics and methods follow the tables', () => {
  for (const [ctor, members] of Object.entries(builtinStatics)) {
    // V8's non-configurable Number constants stay in the simulator (it cannot delete them).
    const own = (t.device.evaluate(`Object.getOwnPropertyNames(${ctor})`) as string[]).filter((k) => !(ctor === 'Number' && /^(EPSILON|MAX_SAFE_INTEGER|MIN_SAFE_INTEGER)$/.test(k)));
    for (const k of own) if (!['length', 'name', 'prototype', 'caller', 'arguments'].includes(k)) expect([ctor, k, staticExists(ctor, k)]).toEqual([ctor, k, true]);
    // Espruino's own extras are not simulated (no firmware uses them): Math.clip, wrap, randInt.
    for (const k of members.filter((m) => !(ctor === 'Math' && ['clip', 'wrap', 'randInt'].includes(m)))) expect([ctor, k, t.device.evaluate(`typeof ${ctor}.${k}`)]).not.toEqual([ctor, k, 'undefined']);
  }
  for (const m of Object.keys(missingMethods)) {
    expect([m, t.device.evaluate(`typeof [].${m} + typeof "".${m} + typeof Promise.resolve().${m}`)]).toEqual([m, 'undefinedundefinedundefined']);
  }
  expect(t.device.evaluate('typeof Promise.race + typeof Number.isInteger + typeof Date.UTC')).toBe('undefinedundefinedundefined');
});
