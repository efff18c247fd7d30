// `npm run bench [-- --json] [--presses N] [--only a,b]`: measures and prints the figures the
// issues ask for. Figures, never timed assertions: tests prove behaviour, this measures it.
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { buildFirmware } from '../build/build-firmware';
import { firmwareBudgetBytes } from '../build/firmware-options';
import { benchPressToCloud } from './press-to-cloud';
import { formatError, isUserError } from '../shared/errors';

const ALL = ['bundle', 'press', 'gestures', 'provision', 'gateway', 'fidelity', 'ota'] as const;
type Part = (typeof ALL)[number];

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description('Measure the bundle, press-to-cloud latency, provisioning throughput, the gateway and a firmware update; print the figures.')
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)', false)
    .option('--presses <n>', 'presses per latency run (at least 200 for the issue figures)', (v) => Number(v), 200)
    .option('--only <parts>', `comma-separated subset of ${ALL.join(',')}`, (v) => v.split(',') as Part[], [...ALL])
    .parse(process.argv);
  const o = program.opts<{ json: boolean; presses: number; only: Part[] }>();
  const cwd = process.cwd();
  const say = (l: string) => process.stderr.write(l + '\n');
  const out: Record<string, unknown> = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  try {
    // Only the bundle and the press figures use the firmware; provision and gateway bring their own devices.
    const bundle = path.join(dir, 'firmware.js');
    if (o.only.some((p) => p === 'bundle' || p === 'press' || p === 'gestures')) {
      const built = await buildFirmware({ cwd, outFile: bundle, log: () => {}, budgetBytes: 1 << 20 });
      if (o.only.includes('bundle')) {
        out.bundleBytes = built.bytes;
        out.bundleBudgetBytes = firmwareBudgetBytes;
      }
    }
    const debounceMs = 50;
    for (const [part, key, gestures] of [
      ['press', 'pressToCloudMs', false],
      ['gestures', 'pressToCloudGesturesMs', true],
    ] as const) {
      if (!o.only.includes(part)) continue;
      const bar = new SingleBar({ format: `${key} {bar} {value}/{total} presses`, stream: process.stderr }, undefined);
      bar.start(o.presses, 0);
      out[key] = await benchPressToCloud({ cwd, bundle, presses: o.presses, gestures, debounceMs, profile: 'esp32', progress: (n) => bar.update(n) });
      bar.stop();
      out.debounceMs = debounceMs;
    }
    if (o.only.includes('provision')) {
      const { benchProvision } = await import('./provision-bench');
      say('provisioning through a simulated 115200-baud line...');
      Object.assign(out, await benchProvision());
    }
    if (o.only.includes('fidelity')) {
      // probes recorded on a real Espruino, replayed through the simulator: how many answer differently
      const { replay } = await import('../fidelity/replay');
      const { readTranscript, readExceptions, DEFAULT_TRANSCRIPT, EXCEPTIONS_FILE } = await import('../fidelity/transcript');
      say('replaying the fidelity transcript through the simulator...');
      const r = await replay(readTranscript(path.join(cwd, DEFAULT_TRANSCRIPT)), readExceptions(path.join(cwd, EXCEPTIONS_FILE)));
      out.fidelityProbes = r.probes;
      out.fidelityMismatches = r.mismatches.length;
      out.fidelityUnexplained = r.unexplained.length;
    }
    if (o.only.includes('ota')) {
      const { benchOta } = await import('./ota-bench');
      Object.assign(out, await benchOta({ cwd, log: say }));
    }
    if (o.only.includes('gateway')) {
      const { benchGateway } = await import('./gateway-bench');
      Object.assign(out, await benchGateway({ cwd, log: say }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (o.json) console.log(JSON.stringify(out));
  else
    for (const [k, v] of Object.entries(out)) {
      if (k === 'otaGoalSeconds') continue;
      const goal = k === 'otaSeconds' ? `   (goal <= ${out.otaGoalSeconds} s: ${(v as number) <= (out.otaGoalSeconds as number) ? 'met' : 'NOT met'})` : '';
      console.log(`${k.padEnd(28)} ${typeof v === 'object' ? JSON.stringify(v) : v}${goal}`);
    }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(formatError(err));
    process.exit(isUserError(err) ? 1 : 2);
  },
);
