// firmware/core/text.ts against Node's indexOf/includes, and against a model of the 2v29 indexOf bug
// to prove the helper never leans on a multi-character indexOf.
import { findText, hasText } from '../../firmware/core/text';

/** A small seeded generator, so a failure names a case that can be replayed. */
function createRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function randomString(random: () => number, alphabet: string, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

/**
 * Espruino 2v29's String.indexOf (src/jswrap_string.c): it walks to the end of the string and a
 * needle that runs past the end compares equal.
 */
function indexOf2v29(this: string, needle: string, from?: number): number {
  const hay = String(this);
  if (needle.length > hay.length) return -1;
  let idx = typeof from === 'number' ? Math.trunc(from) : 0;
  if (idx < 0) idx = 0;
  if (idx > hay.length - needle.length + 1) idx = hay.length - needle.length + 1;
  for (; idx < hay.length; idx++) {
    let equal = true;
    for (let k = 0; k < needle.length && idx + k < hay.length; k++) {
      if (hay[idx + k] !== needle[k]) { equal = false; break; }
    }
    if (equal) return idx;
  }
  return -1;
}

interface Case { hay: string; needle: string; from?: number }

function randomCases(count: number): Case[] {
  const random = createRandom(2029);
  const cases: Case[] = [];
  for (let n = 0; n < count; n++) {
    const hay = randomString(random, 'abc', 12);
    // Half the needles are cut from the hay (so there are hits), half are random (mostly misses).
    const start = Math.floor(random() * (hay.length + 1));
    const needle = random() < 0.5 ? hay.slice(start, start + 1 + Math.floor(random() * 4)) : randomString(random, 'abcd', 4);
    const from = random() < 0.3 ? undefined : Math.floor(random() * 18) - 3;
    cases.push({ hay, needle, from });
  }
  return cases;
}

describe('findText', () => {
  test('finds a needle that only starts at the end nowhere (the 2v29 trap "abc" / "cd")', () => {
    expect(indexOf2v29.call('abc', 'cd')).toBe(2);
    expect(findText('abc', 'cd')).toBe(-1);
    expect(hasText('abc', 'cd')).toBe(false);
  });

  test('finds needles at the start, middle and end', () => {
    expect(findText('hello world', 'hello')).toBe(0);
    expect(findText('hello world', 'o w')).toBe(4);
    expect(findText('hello world', 'world')).toBe(6);
    expect(findText('hello world', 'worlds')).toBe(-1);
    expect(findText('aaab', 'aab')).toBe(1);
  });

  test('treats from as indexOf does: undefined, negative, NaN, fractional and past the end', () => {
    for (const from of [undefined, -5, NaN, 0, 1.7, 3, 11, 12, 99, Infinity]) {
      for (const needle of ['', 'l', 'lo', 'world', 'x']) {
        expect([from, needle, findText('hello world', needle, from)]).toEqual([from, needle, 'hello world'.indexOf(needle, from)]);
      }
    }
  });

  test('agrees with Node indexOf and includes on 20000 random strings', () => {
    const wrong = randomCases(20000).filter((c) =>
      findText(c.hay, c.needle, c.from) !== c.hay.indexOf(c.needle, c.from) || hasText(c.hay, c.needle) !== c.hay.includes(c.needle));
    expect(wrong).toEqual([]);
  });

  test('stays right when String.indexOf has the 2v29 bug', () => {
    const cases = randomCases(5000);
    const original = String.prototype.indexOf;
    const found: number[] = [];
    // Swap in the broken indexOf only around the calls under test, so jest itself is unaffected.
    (String.prototype as { indexOf: unknown }).indexOf = indexOf2v29;
    try {
      for (const c of cases) found.push(findText(c.hay, c.needle, c.from));
    } finally {
      String.prototype.indexOf = original;
    }
    // The model must really be broken on these cases, or this test proves nothing.
    expect(cases.filter((c) => indexOf2v29.call(c.hay, c.needle, c.from) !== c.hay.indexOf(c.needle, c.from)).length).toBeGreaterThan(100);
    expect(cases.filter((c, i) => found[i] !== c.hay.indexOf(c.needle, c.from))).toEqual([]);
  });
});
