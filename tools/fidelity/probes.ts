// The fidelity probes: what the firmware and the host tools rely on Espruino 2v29 to answer, as
// single expressions or short console sessions. Each starts after reset() (probe-runner.ts); none
// reads memory counts, times, serial numbers or Storage sizes, which differ between boards.
import { languageProbes } from './probes-language';
import { builtinProbes } from './probes-builtins';
import { consoleProbes } from './probes-console';

/** Bytes typed at the console, or a pause (for timers) before the next step. */
export type ProbeStep = string | { wait: number };

export interface Probe {
  /** Stable name: the group and the first line typed. */
  id: string;
  group: string;
  steps: ProbeStep[];
}

/** One expression typed at the prompt. */
export function line(group: string, code: string, id = code): Probe {
  return { id: `${group}: ${id}`, group, steps: [code + '\n'] };
}

/** Several lines typed one after the other, with optional pauses. */
export function session(group: string, id: string, steps: ProbeStep[]): Probe {
  return { id: `${group}: ${id}`, group, steps };
}

// Storage probes work only on files named fp.*, removed quietly (\x10) first, so a board's own
// files are never touched and leftovers of an earlier run do not change the answer.
export const STORAGE_CLEANUP = '\x10require("Storage").list(/^fp\\./).forEach(function(n){require("Storage").erase(n)})\n';

export function storage(code: string, id = code): Probe {
  return { id: `storage: ${id}`, group: 'storage', steps: [STORAGE_CLEANUP, code + '\n', STORAGE_CLEANUP] };
}

export function allProbes(): Probe[] {
  const all = [...languageProbes(), ...builtinProbes(), ...consoleProbes()];
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.id)) throw new Error(`bug: two fidelity probes are named ${p.id}`);
    seen.add(p.id);
    const last = [...p.steps].reverse().find((s) => typeof s === 'string');
    if (typeof last !== 'string' || !/[\r\n\x03]$/.test(last)) throw new Error(`bug: probe ${p.id} must end at the start of a line`);
  }
  return all;
}
