// Percentiles for benchmark figures (nearest-rank), rounded to 0.1 ms.
export function percentiles(samples: number[]): { p50: number; p99: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(at(50)), p99: r(at(99)), n: s.length };
}
