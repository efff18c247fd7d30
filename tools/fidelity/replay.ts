// Replays a recorded transcript through the simulator's console, the way the recording ran on the
// board (probe-runner.ts), and lists the probes whose bytes differ. It does not print or fail:
// the jest test, the bench and the `fidelity` command decide what a mismatch means.
import { createVirtualDevice } from '../simulator/device';
import { createStreamConsole, runProbe } from './probe-runner';
import type { Exceptions, RecordedProbe, Transcript } from './transcript';

export interface Mismatch {
  id: string;
  expected: string;
  actual: string;
  /** Why this difference is deliberate, when exceptions.json lists it. */
  excused?: string;
}

export interface ReplayResult {
  probes: number;
  mismatches: Mismatch[];
  /** Mismatches not listed in exceptions.json. */
  unexplained: Mismatch[];
  /** Listed exceptions whose probe now matches (the list should lose them). */
  staleExceptions: string[];
}

/** The simulator configured as the recorded console was: its board, version string and build. */
function deviceFor(t: Transcript) {
  const profile = t.board.startsWith('ESP32') ? 'esp32' : 'esp8266';
  return createVirtualDevice({ profile, build: { version: t.version, linux: t.linuxBuild, copyrightYear: t.copyrightYear }, syntaxCheck: false });
}

export async function replay(t: Transcript, exceptions: Exceptions = {}, onProbe?: (done: number, total: number) => void): Promise<ReplayResult> {
  const device = deviceFor(t);
  const con = createStreamConsole((b) => device.consoleInput(b));
  // A probe's pause stands for what the board did in that time: here it ends only once the
  // timers due within it have run, so a loaded machine's late host timers do not cut it short.
  con.sleep = async (ms) => {
    const until = performance.now() + ms;
    await new Promise((r) => setTimeout(r, ms));
    for (let spins = 0; device.nextTimerDueAt() <= until && spins < 400; spins++) await new Promise((r) => setTimeout(r, 5));
  };
  const off = device.onTerminal((text) => con.feed(text));
  const mismatches: Mismatch[] = [];
  const matched = new Set<string>();
  try {
    device.boot();
    for (const [i, p] of t.probes.entries()) {
      onProbe?.(i, t.probes.length);
      const actual = await runOne(con, p, i + 1, i > 0);
      if (actual === p.output) matched.add(p.id);
      else mismatches.push({ id: p.id, expected: p.output, actual, excused: exceptions[p.id] });
    }
  } finally {
    off();
    await device.close();
  }
  return {
    probes: t.probes.length,
    mismatches,
    unexplained: mismatches.filter((m) => m.excused === undefined),
    staleExceptions: Object.keys(exceptions).filter((id) => matched.has(id)),
  };
}

async function runOne(con: ReturnType<typeof createStreamConsole>, p: RecordedProbe, n: number, resetSent: boolean): Promise<string> {
  try {
    return await runProbe(con, p, n, 2000, resetSent, 0);
  } catch (e) {
    return `(no answer: ${(e as Error).message})`;
  }
}

/** A readable diff line for one mismatch: both outputs with control bytes made visible. */
export function describeMismatch(m: Mismatch): string {
  const show = (s: string): string => JSON.stringify(s);
  return `${m.id}\n  board:     ${show(m.expected)}\n  simulator: ${show(m.actual)}${m.excused ? `\n  excused: ${m.excused}` : ''}`;
}
