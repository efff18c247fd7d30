// Benchmark of the LAN gateway (issue 5): the latency it adds, how many devices one gateway carries,
// and its memory per device. Figures, never assertions; everything on 127.0.0.1; it prints only
// through opts.log. It measures the gateway against the AWS-like broker, not against AWS itself.
//
// Set-up. The AWS-like broker, the observer (the dev PKI's `observer`, mutual TLS, subscribed to
// devices/+/events/button) and every virtual device run in this process; the gateway runs as a
// child (`tools/cli.ts gateway`) so that /proc gives its own RSS. A device is an MQTT.js client that
// publishes a tagged QoS 1 event `{"seq":n,...}` to devices/<thing>/events/button once a second,
// at a random phase. Latency = observer receipt time - device publish() time (one clock, this
// process). Samples count inside a window only; an event of the window not received within 5 s of
// the window's end is lost.
//
// gatewayAddedMs: 20 devices (fewer if maxDevices is smaller), first straight to the broker with
//   their own client certificates, then through the gateway; each run waits 5 s after connecting
//   (the fresh gateway's JIT warm-up; a real gateway runs for weeks), then records for
//   ceil(baselineSamples / devices) s: about `baselineSamples` (300) events. Added = via-gateway
//   percentile - direct percentile, for p50 and for p99, clamped at 0 (a negative one is noise).
// gatewayDevices: from those 20, the gateway's devices grow to 50, 100, 200, 300 ... maxDevices
//   (500), connected 10 at a time; each step waits 2 s, then records for `stepSeconds` (10). A step
//   passes when every device connected and stayed connected, nothing was lost, and its p99 added
//   latency (via-gateway p99 - the direct p50 above) is under 20 ms. The figure is the largest
//   passing step; stepping stops at the first failure, so maxDevices is a floor when all pass.
//   Caveat: the broker and the devices share this process and grow with the step; their cost is
//   counted as the gateway's, so the figure errs low. Both processes share the 2 cores.
// gatewayMemoryPerDeviceKB: (gateway VmRSS after the largest passing step - its VmRSS before any
//   device connected: the lower of the readings at start and after the direct run) / the step's
//   device count, rounded, clamped at 0. Every reading follows a full GC in the gateway (SIGUSR2,
//   see gateway-process.ts), so that garbage not yet collected does not count. It includes the one-off cost of the AWS CRT's first connection; the log adds the
//   slope between the first and the last passing step, which does not.
//
// Client certificates are kept in opts.pkiDir (default: a folder in the OS temp dir, reused by
// later runs: the first run issues ~500 RSA keys, about a minute on 2 cores).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsLikeBroker } from '../broker/aws-like-broker';
import { createFleet, type Fleet } from './gateway-fleet';
import { prepareGatewayStore, prepareThingPki } from './gateway-identities';
import { connectObserver, createLatencyTracker, type LatencyTracker, type WindowResult } from './gateway-latency';
import { spawnGateway, type GatewayProcess, type ProcStats } from './gateway-process';
import { percentiles } from './percentiles';

export interface GatewayBenchOptions {
  cwd: string;
  log: (line: string) => void;
  /** Largest step (default 500). */
  maxDevices?: number;
  /** Seconds recorded per step (default 10). */
  stepSeconds?: number;
  /** Events recorded per added-latency run (default 300). */
  baselineSamples?: number;
  /** Where client certificates are issued and kept (default: a reusable folder in the OS temp dir). */
  pkiDir?: string;
}

export interface GatewayBenchResult {
  gatewayAddedMs: { p50: number; p99: number };
  gatewayDevices: number;
  gatewayMemoryPerDeviceKB: number;
}

export const DEFAULT_PKI_DIR = join(tmpdir(), 'espruino-aws-button-gateway-bench-pki');
const ADDED_P99_LIMIT_MS = 20;
const LOSS_MS = 5000;
const BASELINE_DEVICES = 20;
/** Before the added-latency runs record: the fresh gateway's code paths get compiled (JIT) first. */
const WARM_MS = 5000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;
const mb = (kb: number) => (kb / 1024).toFixed(0);

/** 50, 100, then every 100 below max, then max itself. */
export function gatewaySteps(max: number): number[] {
  const steps = [50, 100];
  for (let n = 200; n < max; n += 100) steps.push(n);
  return [...steps.filter((n) => n < max), max];
}

interface Run {
  result?: WindowResult;
  /** Why the devices could not all connect. */
  refused?: string;
  /** CPU used during the recording, as a fraction of one core: the gateway's, and this process's. */
  gatewayCpu: number;
  benchCpu: number;
}

/** Connects devices up to `n`, lets them settle, records `seconds`, then waits for the stragglers. */
async function record(fleet: Fleet, tracker: LatencyTracker, gw: GatewayProcess, n: number, settleMs: number, seconds: number): Promise<Run> {
  try {
    await fleet.grow(n);
  } catch (err) {
    return { refused: err instanceof Error ? err.message : String(err), gatewayCpu: NaN, benchCpu: NaN };
  }
  await sleep(settleMs);
  const g0 = gw.stats().cpuSeconds;
  const b0 = process.cpuUsage();
  const t0 = performance.now();
  const window = tracker.open();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const b = process.cpuUsage(b0);
  const gatewayCpu = (gw.stats().cpuSeconds - g0) / wall;
  return { result: await window.finish(LOSS_MS), gatewayCpu, benchCpu: (b.user + b.system) / 1e6 / wall };
}

export async function benchGateway(opts: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const max = Math.max(1, Math.floor(opts.maxDevices ?? 500));
  const stepSeconds = opts.stepSeconds ?? 10;
  const baselineSamples = opts.baselineSamples ?? 300;
  const settleMs = Math.min(2000, stepSeconds * 1000);
  const warmMs = Math.min(WARM_MS, stepSeconds * 1000);
  const log = (l: string) => opts.log(`gateway: ${l}`);
  const began = performance.now();
  const things = Array.from({ length: max }, (_, i) => `bench-gw-${String(i).padStart(4, '0')}`);
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const t = performance.now();
    const { pki, issued } = await prepareThingPki(opts.cwd, opts.pkiDir ?? DEFAULT_PKI_DIR, things);
    const secrets = prepareGatewayStore(join(work, 'store'), pki, things);
    log(`${max} identities ready in ${((performance.now() - t) / 1000).toFixed(1)} s (${issued} certificates issued, the rest reused from ${pki.dir})`);

    const broker = await startAwsLikeBroker({ port: 0, pki });
    closers.push(() => broker.close());
    const tracker = createLatencyTracker();
    const observer = await connectObserver(broker.port, pki, tracker);
    closers.push(() => observer.endAsync(true));
    const gw = await spawnGateway({ cwd: opts.cwd, store: join(work, 'store'), brokerPort: broker.port, caPath: pki.caPath });
    closers.push(() => gw.stop());
    const started = await gw.statsAfterGc();

    // Added latency: the same load direct, then through the gateway.
    const nBase = Math.min(BASELINE_DEVICES, max);
    const baseSeconds = Math.ceil(baselineSamples / nBase);
    const direct = createFleet(things, { via: 'direct', port: broker.port, pki }, tracker);
    closers.push(() => direct.close());
    const d = await record(direct, tracker, gw, nBase, warmMs, baseSeconds);
    await direct.close();
    if (!d.result) throw new Error(`the direct run failed: ${d.refused}`);
    const dp = percentiles(d.result.samples);
    log(`direct to broker, ${nBase} devices: p50 ${dp.p50} ms, p99 ${dp.p99} ms (n=${dp.n}, lost ${d.result.lost})`);
    // V8 hands its start-up garbage back only once idle for ~8 s (its memory reducer), which the
    // direct run gives it; a GC alone does not return those pages.
    const later = await gw.statsAfterGc();
    const idle = later.rssKB < started.rssKB ? later : started;
    log(`gateway pid ${gw.pid} on port ${gw.port}, no devices: RSS ${mb(idle.rssKB)} MB, ${idle.threads} threads, ${idle.fds} fds`);

    const fleet = createFleet(things, { via: 'gateway', port: gw.port, secrets }, tracker);
    closers.push(() => fleet.close());
    const v = await record(fleet, tracker, gw, nBase, warmMs, baseSeconds);
    if (!v.result) throw new Error(`the via-gateway run failed: ${v.refused}`);
    const vp = percentiles(v.result.samples);
    const added = { p50: round1(Math.max(0, vp.p50 - dp.p50)), p99: round1(Math.max(0, vp.p99 - dp.p99)) };
    log(`via gateway, ${nBase} devices: p50 ${vp.p50} ms, p99 ${vp.p99} ms (n=${vp.n}, lost ${v.result.lost}): added p50 ${added.p50} ms, p99 ${added.p99} ms`);
    if (v.result.lost + d.result.lost > 0) log('warning: events were lost during the added-latency runs; that figure is unreliable');
    reportProblems(log, fleet.takeFailures(), gw.takeProblems());

    // Capacity: grow until a step fails.
    let best = 0;
    let bestStats: ProcStats | undefined;
    let first: { n: number; rssKB: number } | undefined;
    for (const n of gatewaySteps(max)) {
      const run = await record(fleet, tracker, gw, n, settleMs, stepSeconds);
      const after = await gw.statsAfterGc();
      const dropped = fleet.takeFailures();
      const r = run.result;
      const p = r && percentiles(r.samples);
      const addedP99 = p ? round1(p.p99 - dp.p50) : NaN;
      const pass = r !== undefined && r.lost === 0 && dropped.length === 0 && addedP99 < ADDED_P99_LIMIT_MS;
      log(
        `${n} devices: ` +
          (p && r ? `added p50 ${round1(p.p50 - dp.p50)} ms, p99 ${addedP99} ms (n=${p.n}, lost ${r.lost}); ` : `${run.refused}; `) +
          `gateway RSS ${mb(after.rssKB)} MB, CPU ${pct(run.gatewayCpu)}, ${after.threads} threads, ${after.fds} fds; ` +
          `bench CPU ${pct(run.benchCpu)}: ${pass ? 'pass' : 'FAIL'}`,
      );
      reportProblems(log, dropped, gw.takeProblems());
      if (!pass) break;
      best = n;
      bestStats = after;
      first ??= { n, rssKB: after.rssKB };
    }

    // Clamped at 0: with a handful of devices, allocator noise can exceed what they cost.
    const perDevice = best > 0 && bestStats ? Math.max(0, Math.round((bestStats.rssKB - idle.rssKB) / best)) : 0;
    if (first && bestStats && best > first.n) {
      // A cross-check free of fixed costs: the slope between the first and the last passing step.
      log(`memory: ${perDevice} KB per device from idle; ${Math.round((bestStats.rssKB - first.rssKB) / (best - first.n))} KB per device from ${first.n} to ${best} devices`);
    }
    log(
      best === max
        ? `every step passed: the gateway carries at least ${best} devices (raise maxDevices to find its limit)`
        : `carries ${best} devices with p99 added latency under ${ADDED_P99_LIMIT_MS} ms`,
    );
    log(`done in ${((performance.now() - began) / 1000).toFixed(0)} s`);
    return { gatewayAddedMs: added, gatewayDevices: best, gatewayMemoryPerDeviceKB: perDevice };
  } finally {
    // Devices first, so that the gateway ends their sessions; then the gateway, observer and broker.
    for (const close of closers.reverse()) await close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

function pct(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '-';
}

function reportProblems(log: (l: string) => void, dropped: string[], gatewayLines: string[]): void {
  if (dropped.length > 0) log(`${dropped.length} device connection(s) dropped, e.g. ${dropped.slice(0, 3).join('; ')}`);
  if (gatewayLines.length > 0) log(`${gatewayLines.length} gateway problem line(s), e.g.\n  ${gatewayLines.slice(0, 3).join('\n  ')}`);
}
