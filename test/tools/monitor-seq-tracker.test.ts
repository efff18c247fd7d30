// Seq judgement per thing: in order, gaps, late arrivals that fill a gap, duplicates.
import { createSeqTracker } from '../../tools/monitor/seq-tracker';

test('the first event of a thing sets the baseline; the next seqs are in order', () => {
  const t = createSeqTracker();
  expect(t.track('a', 41).flag).toBe('first');
  expect(t.track('a', 42).flag).toBe('ok');
  expect(t.track('a', 43).flag).toBe('ok');
});

test('a jump is a gap with the number and range of missing seqs', () => {
  const t = createSeqTracker();
  t.track('a', 1);
  expect(t.track('a', 5)).toEqual({ flag: 'gap', missed: 3, from: 2, to: 4 });
  expect(t.missing('a')).toEqual([2, 3, 4]);
  expect(t.track('a', 6).flag).toBe('ok');
});

test('a missing seq that arrives later is late, once; again it is a duplicate', () => {
  const t = createSeqTracker();
  t.track('a', 1);
  t.track('a', 4);
  expect(t.track('a', 3).flag).toBe('late');
  expect(t.track('a', 2).flag).toBe('late');
  expect(t.missing('a')).toEqual([]);
  expect(t.track('a', 3).flag).toBe('duplicate');
});

test('a repeated seq and a seq that went backwards are duplicates', () => {
  const t = createSeqTracker();
  t.track('a', 10);
  t.track('a', 11);
  expect(t.track('a', 11).flag).toBe('duplicate');
  expect(t.track('a', 3).flag).toBe('duplicate');
  // A duplicate does not move the baseline.
  expect(t.track('a', 12).flag).toBe('ok');
});

test('things are tracked apart', () => {
  const t = createSeqTracker();
  t.track('a', 1);
  expect(t.track('b', 1).flag).toBe('first');
  expect(t.track('a', 2).flag).toBe('ok');
  expect(t.track('b', 3).flag).toBe('gap');
  expect(t.missing('a')).toEqual([]);
});

test('a huge jump remembers only the newest missing seqs (bounded memory)', () => {
  const t = createSeqTracker(5);
  t.track('a', 1);
  expect(t.track('a', 1_000_000)).toEqual({ flag: 'gap', missed: 999_998, from: 2, to: 999_999 });
  expect(t.missing('a')).toEqual([999_995, 999_996, 999_997, 999_998, 999_999]);
  expect(t.track('a', 999_999).flag).toBe('late');
  expect(t.track('a', 2).flag).toBe('duplicate');
  t.track('a', 1_000_010);
  expect(t.missing('a')).toHaveLength(5);
});
