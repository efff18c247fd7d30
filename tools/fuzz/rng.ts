// A seeded pseudo-random generator (mulberry32), so a fuzz case or a fault plan is replayed
// exactly from its seed. Not for anything secret.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in 0..n-1. */
  int(n: number): number;
  /** An integer in a..b, both included. */
  range(a: number, b: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    range: (a, b) => a + int(b - a + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)],
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

/** The seed of case `i` of a run seeded `seed`: cases can be replayed one by one. */
export function caseSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}
