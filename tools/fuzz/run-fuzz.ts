// The fuzz loop: runs numbered cases against the targets, in this process, and keeps what failed
// (with each case's seed, so it replays alone), a count per kind, and the heap it took. It does not
// guard against hangs (cli.ts runs it in child processes and watches them) and never exits.
import { deviceCase, type CaseResult } from './device-target';
import { gatewayAuthCase } from './gateway-auth-target';
import { caseSeed } from './rng';

export const TARGETS = {
  /** The device's MQTT session decoding a broker's bytes (firmware/core/mqtt/client.ts). */
  device: deviceCase,
  /** The gateway's CONNECT password, event tag and publish checks (tools/gateway/auth.ts). */
  'gateway-auth': gatewayAuthCase,
} as const;

export type TargetName = keyof typeof TARGETS;

export interface FuzzFailure {
  target: TargetName;
  /** Replays this case alone: `npm run fuzz -- --target <target> --replay <seed>`. */
  seed: number;
  kind: string;
  problem: string;
  input: string[];
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  targets: TargetName[];
  /** For sharing a run between processes: this one takes cases first, first+step, ... */
  first?: number;
  step?: number;
  /** Called every `every` cases with how many this process has done. */
  onProgress?: (done: number) => void;
  every?: number;
  /** Stop collecting (not running) after this many failures. Default 20. */
  keepFailures?: number;
}

export interface FuzzResult {
  cases: number;
  failed: number;
  failures: FuzzFailure[];
  kinds: Record<string, number>;
  ms: number;
  /** Heap in use, MB: after the first 1% of cases (warm), at the end, and the highest sample. */
  heapWarmMB: number;
  heapEndMB: number;
  heapMaxMB: number;
}

const mb = () => process.memoryUsage().heapUsed / 1048576;
const gc = (globalThis as { gc?: () => void }).gc;

export function runCase(target: TargetName, seed: number): CaseResult {
  return TARGETS[target](seed);
}

export function runFuzz(o: FuzzOptions): FuzzResult {
  const first = o.first ?? 0;
  const step = o.step ?? 1;
  const every = o.every ?? 5000;
  const keep = o.keepFailures ?? 20;
  const t0 = Date.now();
  const kinds: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let failed = 0;
  let done = 0;
  let warm = -1;
  let max = 0;
  for (let i = first; i < o.cases; i += step) {
    const target = o.targets[i % o.targets.length];
    const seed = caseSeed(o.seed, i);
    const res = TARGETS[target](seed);
    const k = `${target}/${res.kind}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
    if (!res.ok) {
      failed++;
      if (failures.length < keep) failures.push({ target, seed, kind: res.kind, problem: res.problem, input: res.chunks.map((c) => (c.length > 300 ? c.slice(0, 300) + '...' : c)) });
    }
    done++;
    if (done % every === 0) {
      gc?.();
      const h = mb();
      if (h > max) max = h;
      if (warm < 0 && done >= o.cases / step / 100) warm = h;
      o.onProgress?.(done);
    }
  }
  gc?.();
  const end = mb();
  return { cases: done, failed, failures, kinds, ms: Date.now() - t0, heapWarmMB: warm < 0 ? end : warm, heapEndMB: end, heapMaxMB: Math.max(max, end) };
}
