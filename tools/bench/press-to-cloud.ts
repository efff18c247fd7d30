// Press-to-cloud latency: from the simulated GPIO edge on the virtual NodeMCU to the moment the
// cloud-side SDK client receives the event, over the exact bundle. Presses are sequential.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../start/demo';
import { percentiles } from './percentiles';
import { isEventTopic } from '../../firmware/core/wire-contract';

export interface PressToCloudResult {
  p50: number;
  p99: number;
  n: number;
}

export async function benchPressToCloud(opts: {
  cwd: string;
  bundle: string;
  presses: number;
  gestures: boolean;
  debounceMs: number;
  profile: 'esp8266' | 'esp32';
  progress?: (done: number) => void;
}): Promise<PressToCloudResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  let arrived: (() => void) | undefined;
  const demo = await startDemo({
    cwd: opts.cwd,
    bundle: opts.bundle,
    pkiDir: path.join(dir, 'pki'),
    profile: opts.profile,
    brokerPort: 0,
    thing: 'bench-button',
    onConsole: process.env.BENCH_DEBUG ? (l) => process.stderr.write('[dev] ' + l + '\n') : undefined,
    deviceConfig: { button: { gestures: opts.gestures, debounceMs: opts.debounceMs, doubleMs: 400, longMs: 1500 }, healthS: 0 },
    onCloud: (topic) => {
      if (isEventTopic(topic)) arrived?.();
    },
  });
  try {
    // Wait for the session: the first delivery proves the chain is up.
    await demo.press('single');
    await demo.waitForEvents(1, 20000);
    // Press only once SNTP has set the clock: a press during its first jump can be lost (a known
    // bug, test/faults/clock-jump.test.ts), and this measures latency, not that.
    while (!((demo.device.evaluate('Date.now()') as number) > 1.5e12)) await new Promise((r) => setTimeout(r, 20));
    const samples: number[] = [];
    for (let i = 0; i < opts.presses; i++) {
      const got = new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`press ${i + 1} did not reach the cloud in 10 s`)), 10000);
        arrived = () => {
          clearTimeout(t);
          resolve(performance.now());
        };
      });
      await new Promise((r) => setTimeout(r, opts.debounceMs + 30));
      const t0 = performance.now();
      demo.device.setPin('D0', 0);
      if (opts.gestures) {
        // A single click is known only once the double-press window after its release has passed.
        await new Promise((r) => setTimeout(r, 60));
        demo.device.setPin('D0', 1);
      }
      const t1 = await got;
      arrived = undefined;
      samples.push(t1 - t0);
      if (!opts.gestures) demo.device.setPin('D0', 1);
      opts.progress?.(i + 1);
    }
    return percentiles(samples);
  } finally {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
