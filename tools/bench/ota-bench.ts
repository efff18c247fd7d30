// Firmware update time and RAM (issue 14): the exact firmware, one version up, through the real
// gateway's updater to an A/B virtual NodeMCU at ESP8266 flash and link speeds (timing.ts), until
// the gateway records the device's proof. It does not use AWS IoT Jobs (they sit on top of this).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmware } from '../build/build-firmware';
import { buildOtaFiles } from '../build/build-ota-files';
import { freshLog, slotFile } from '../flash/write-slots';
import { ensureDevPki } from '../pki/dev-pki';
import { startAwsLikeBroker } from '../broker/aws-like-broker';
import { startGateway } from '../gateway/run';
import { generateDeviceSecret } from '../gateway/device-store';
import { enrolDevice } from '../provision/gateway-enrolment';
import { createVirtualDevice } from '../simulator/device';
import { esp8266Speeds } from '../simulator/timing';

/** The goal for otaSeconds. */
export const OTA_GOAL_SECONDS = 15;

export interface OtaBenchResult {
  /** Queued at the gateway until the gateway recorded SUCCEEDED (the device proved the new firmware). */
  otaSeconds: number;
  otaGoalSeconds: number;
  /**
   * transfer: queued until the device printed "verified" (the verification is in it: native
   * E.CRC32/SHA-1 on the board, milliseconds here); switch: until the trial slot booted (the
   * receiver waits 1 s so its "switching" answer leaves first); prove: until the gateway recorded
   * the device's proof (Wi-Fi, broker, one PUBACK, the report).
   */
  otaSplitSeconds: { transfer: number; switch: number; prove: number };
  otaBundleBytes: number;
  /** Time the device's CPU stalled on flash programming and erasing during the update. */
  otaFlashBusySeconds: number;
  /** The simulator's estimate of peak JsVars over idle during the update (the real interpreter's figure is in MEMORY.md). */
  otaPeakJsVars: number;
  otaIdleJsVars: number;
}

const THING = 'ota-bench';
const s = (ms: number) => Math.round(ms) / 1000;

function waitFor(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(what()));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export async function benchOta(opts: {
  cwd: string;
  log?: (line: string) => void;
  /** Default ESP8266 speeds; the smoke test turns them off ({flashPageProgramMs: 0, ...}) to run fast. */
  speeds?: Partial<typeof esp8266Speeds>;
}): Promise<OtaBenchResult> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ota-bench-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const bundlePath = path.join(dir, 'firmware.js');
    await buildFirmware({ cwd: opts.cwd, outFile: bundlePath, log: () => {}, budgetBytes: 1 << 20 });
    const ota = await buildOtaFiles({ cwd: opts.cwd, outDir: dir, log: () => {} });
    const fw = readFileSync(bundlePath);
    // The same firmware, one version up: it must boot, connect and prove itself like the old one.
    const current = /="(\d+)\.(\d+)\.(\d+)"/.exec(fw.toString('latin1'));
    if (!current) throw new Error('the firmware bundle names no version');
    const next = `${current[1]}.${Number(current[2]) + 1}.0`;
    const update = Buffer.from(fw.toString('latin1').replace(current[0], `="${next}"`), 'latin1');

    const pki = ensureDevPki(path.join(dir, 'pki'));
    const broker = await startAwsLikeBroker({ port: 0, host: '127.0.0.1', pki, log: () => {} });
    closers.unshift(() => broker.close());
    const store = path.join(dir, 'gateway');
    const secret = generateDeviceSecret();
    const id = pki.client(THING);
    enrolDevice(store, THING, secret, { certPem: id.cert, keyPem: id.key });
    const gwLog: string[] = [];
    const gateway = await startGateway({ bind: '127.0.0.1', port: 0, store, upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: pki.caPath }, log: (l) => gwLog.push(l) });
    closers.unshift(() => gateway.close());

    const lines: { at: number; text: string }[] = [];
    let peak = 0;
    let sampling = false;
    const sample = () => {
      if (!sampling || !device.poweredOn) return;
      try {
        peak = Math.max(peak, device.memory().usage);
      } catch {
        // between sessions (the restart into the new slot): nothing to count
      }
    };
    const device = createVirtualDevice({
      profile: 'esp8266',
      timing: { ...esp8266Speeds, ...opts.speeds },
      console: (text) => {
        for (const l of text.split('\n')) if (l.trim()) lines.push({ at: performance.now(), text: l.replace(/\r$/, '') });
        sample(); // inside the device's own event: closer to the moments the receiver holds most
      },
    });
    closers.unshift(() => device.close());
    // Flashed as `npm run flash` leaves an A/B device, provisioned for the gateway.
    device.storage.write('config.json', JSON.stringify({ thing: THING, wifi: { ssid: 'sim-ap', password: 'sim-pass' }, mqtt: { host: '127.0.0.1', port: gateway.port, transport: 'tcp' }, gateway: { secret } }));
    device.storage.write('fw.a', slotFile(fw));
    device.storage.write('ota.js', readFileSync(ota.receiver));
    device.storage.write('.otalog', freshLog());
    device.storage.write('.bootcde', readFileSync(ota.loader));
    device.boot();
    const seen = (re: RegExp) => lines.find((l) => re.test(l.text));
    const tail = () => lines.slice(-10).map((l) => l.text).join('\n');
    await waitFor(() => !!seen(/^mqtt: connected/), 30000, () => `the device did not reach the gateway:\n${tail()}`);
    // Settled: its online status acknowledged and any boot-time work done.
    await new Promise((r) => setTimeout(r, 1500));
    const idle = device.memory().usage;

    log(`ota: ${update.length}-byte bundle ${current[0].slice(2, -1)} -> ${next} through the gateway at 115200-baud link and ESP8266 flash speeds...`);
    const busy0 = device.storage.wear().busyMs;
    sampling = true;
    peak = idle;
    const timer = setInterval(sample, 20);
    const t0 = performance.now();
    let done;
    try {
      gateway.updates!.queue(THING, update, next);
      done = await Promise.race([
        gateway.updates!.outcome(THING),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no outcome in 120 s:\n${tail()}`)), 120000).unref()),
      ]);
    } finally {
      clearInterval(timer);
      sampling = false;
    }
    const t1 = performance.now();
    if (done.state !== 'SUCCEEDED') throw new Error(`the update ended ${done.state}: ${done.detail}\n${tail()}`);
    const verified = seen(/^ota: .* verified, restarting into/)?.at ?? NaN;
    const trial = lines.find((l) => l.at >= verified && /^boot: fw\.[ab] \(trial 1 of 3\)/.test(l.text))?.at ?? NaN;
    return {
      otaSeconds: s(t1 - t0),
      otaGoalSeconds: OTA_GOAL_SECONDS,
      otaSplitSeconds: { transfer: s(verified - t0), switch: s(trial - verified), prove: s(t1 - trial) },
      otaBundleBytes: update.length,
      otaFlashBusySeconds: s(device.storage.wear().busyMs - busy0),
      otaPeakJsVars: peak - idle,
      otaIdleJsVars: idle,
    };
  } finally {
    for (const c of closers) await c();
  }
}
