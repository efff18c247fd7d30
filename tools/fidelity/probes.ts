// The fidelity probes: what the firmware and the host tools rely on Espruino 2v29 to answer, as
// single expressions or short console sessions. Each starts after reset() (probe-runner.ts); none
// reads memory counts, times, serial numbers or Storage sizes, which differ between boards.
import { languageProbes } from './probes-language';
import { builtinProbes } from './probes-builtins';
import { consoleProbes } from './probes-console';
import { toolProbes } from './probes-tools';
import type { Probe } from './probe-shape';

export type { Probe, ProbeStep } from './probe-shape';

export function allProbes(): Probe[] {
  const all = [...languageProbes(), ...builtinProbes(), ...consoleProbes(), ...toolProbes()];
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.id)) throw new Error(`bug: two fidelity probes are named ${p.id}`);
    seen.add(p.id);
    const last = [...p.steps].reverse().find((s) => typeof s === 'string');
    if (typeof last !== 'string' || !/[\r\n\x03]$/.test(last)) throw new Error(`bug: probe ${p.id} must end at the start of a line`);
  }
  return all;
}
