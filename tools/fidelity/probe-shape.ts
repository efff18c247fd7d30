// What a fidelity probe is, and the helpers the probe lists are written with: a line typed at the
// prompt, a short session with pauses, a Storage probe that cleans up its fp.* files.

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
