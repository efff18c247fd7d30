// Reconnect delays stay inside [0, min(cap, base * 2^attempt)) for every attempt, however large.
import { backoffDelay } from '../../firmware/core/backoff';

const BASE = 1000;
const CAP = 60000;
const JUST_UNDER_1 = 1 - Number.EPSILON;

describe('backoffDelay', () => {
  test('attempt 0 draws from [0, base)', () => {
    expect(backoffDelay(0, 0, BASE, CAP)).toBe(0);
    expect(backoffDelay(0, 0.5, BASE, CAP)).toBe(500);
    expect(backoffDelay(0, JUST_UNDER_1, BASE, CAP)).toBe(999);
  });

  test('the window doubles with each attempt until the cap', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const window = Math.min(CAP, BASE * Math.pow(2, attempt));
      expect(backoffDelay(attempt, 0, BASE, CAP)).toBe(0);
      expect(backoffDelay(attempt, JUST_UNDER_1, BASE, CAP)).toBe(window - 1);
      expect(backoffDelay(attempt, 0.25, BASE, CAP)).toBe(Math.floor(window / 4));
    }
  });

  test('the cap bounds the window from attempt 6 on (64 s > 60 s)', () => {
    expect(backoffDelay(5, JUST_UNDER_1, BASE, CAP)).toBe(31999);
    expect(backoffDelay(6, JUST_UNDER_1, BASE, CAP)).toBe(CAP - 1);
    expect(backoffDelay(6, 0.5, BASE, CAP)).toBe(CAP / 2);
  });

  test('a huge attempt count stays at the cap and returns a finite whole number', () => {
    for (const attempt of [30, 31, 1000, 1e6, 1e12, Number.MAX_SAFE_INTEGER, Infinity]) {
      const d = backoffDelay(attempt, JUST_UNDER_1, BASE, CAP);
      expect(d).toBe(CAP - 1);
    }
  });

  test('delays are whole milliseconds and spread over the whole window', () => {
    const seen: number[] = [];
    for (let i = 0; i < 1000; i++) seen.push(backoffDelay(3, i / 1000, BASE, CAP));
    expect(seen.every((d) => Number.isInteger(d) && d >= 0 && d < 8000)).toBe(true);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(7992);
  });

  test('a base above the cap is held to the cap', () => {
    expect(backoffDelay(0, JUST_UNDER_1, 90000, CAP)).toBe(CAP - 1);
  });
});
