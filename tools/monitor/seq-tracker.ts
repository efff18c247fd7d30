// Judges each event's seq against what was seen from the same thing: in order, a gap (presses
// missing), a late arrival filling an earlier gap, or a duplicate. Pure; no I/O, no clock.
//
// The firmware's seq rises strictly, also across reboots, so anything not above the last one is
// either an event reported missing earlier (an outbox replay after a gap) or a redelivery.

export type SeqFlag = 'first' | 'ok' | 'gap' | 'late' | 'duplicate';

export interface SeqVerdict {
  flag: SeqFlag;
  /** For 'gap': how many seqs were skipped, and the range. */
  missed?: number;
  from?: number;
  to?: number;
}

export interface SeqTracker {
  track(thing: string, seq: number): SeqVerdict;
  /** Seqs reported missing and not yet seen, oldest first (at most `window` of them). */
  missing(thing: string): number[];
}

interface ThingState {
  last: number;
  missing: number[];
}

/** `window`: how many missing seqs per thing are remembered to recognise late arrivals. */
export function createSeqTracker(window = 1000): SeqTracker {
  const things = new Map<string, ThingState>();
  return {
    track(thing, seq) {
      const s = things.get(thing);
      if (!s) {
        things.set(thing, { last: seq, missing: [] });
        return { flag: 'first' };
      }
      if (seq === s.last + 1) {
        s.last = seq;
        return { flag: 'ok' };
      }
      if (seq > s.last + 1) {
        const from = s.last + 1;
        const to = seq - 1;
        // Remember only the newest `window` missing seqs: a jump of millions must not allocate millions.
        for (let m = Math.max(from, to - window + 1); m <= to; m++) s.missing.push(m);
        if (s.missing.length > window) s.missing.splice(0, s.missing.length - window);
        s.last = seq;
        return { flag: 'gap', missed: to - from + 1, from, to };
      }
      const i = s.missing.indexOf(seq);
      if (i >= 0) {
        s.missing.splice(i, 1);
        return { flag: 'late' };
      }
      return { flag: 'duplicate' };
    },
    missing: (thing) => [...(things.get(thing)?.missing ?? [])],
  };
}
