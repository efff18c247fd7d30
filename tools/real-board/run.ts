// `npm run real-board`: the end-to-end check of docs/real-board.md, run against a real Espruino
// (a NodeMCU on USB, or the Linux build of the interpreter on a serial PTY): flash, provision
// (gateway mode, and direct TLS where the board has tls), doctor, and presses that must arrive in
// a local AWS-like cloud; with `update`, a firmware update by AWS IoT job through the gateway, and
// (direct TLS) an update over the air executed by npm run update's code, that the next press must
// show. It drives our own CLI as child processes, exactly as a user types it.
// It does not talk to AWS: the cloud is the AWS-like broker with the development PKI.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevPki } from '../pki/dev-pki';
import { startAwsLikeBroker } from '../broker/aws-like-broker';
import { createCloudWatcher } from '../monitor/cloud-watcher';
import { startGateway } from '../gateway/run';
import { openDevice, type ConnectedDevice } from '../device/open-device';
import { createStorageWriter } from '../device/storage-writer';
import type { ConsoleClient } from '../device/console-client';
import { UserError } from '../shared/errors';
import { eventTopic, Topic } from '../../firmware/core/wire-contract';
import type { Logger } from '../shared/log';
import { STAND_IN_FILES, needsStandIns } from './linux-stand-ins';
import { nextPatch, rollOut } from '../start/roll-out';
import { version as projectVersion } from '../../package.json';
import { updateDirectBoard } from './update-step';

export interface RealBoardOptions {
  cwd: string;
  port: string;
  thing: string;
  /** The address the board reaches this machine at (127.0.0.1 for the Linux build). */
  host: string;
  /** Skip direct TLS even on a board with tls. */
  gatewayOnly: boolean;
  /** Seconds to wait for each press to reach the cloud. */
  timeoutS: number;
  /** The network the board joins (the Linux build's stand-in accepts any). */
  wifi: { ssid: string; password: string };
  /** Install the Linux stand-ins even where Wifi exists (CI runs the check on the simulator). */
  forceStandIns?: boolean;
  /** After the gateway presses: roll the next patch version out by job and check the board runs it. */
  update?: boolean;
}

interface Step {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs tools/cli.ts with args as a child process, echoing what it prints. */
function cli(cwd: string, args: string[], log: Logger, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(cwd, 'node_modules/tsx/dist/cli.mjs'), path.join(cwd, 'tools/cli.ts'), ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (d: Buffer) => {
      out += d;
      for (const line of String(d).split('\n')) if (line.trim()) log.info(`    ${line.replace(/\r/g, '').trimEnd()}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code, out }));
  });
}

export async function runRealBoardCheck(o: RealBoardOptions, log: Logger): Promise<Step[]> {
  const steps: Step[] = [];
  const step = (name: string, ok: boolean, detail = '') => {
    steps.push({ name, ok, detail });
    log.info(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
    return ok;
  };
  const work = mkdtempSync(path.join(os.tmpdir(), 'real-board-'));
  const pki = ensureDevPki(path.join(o.cwd, 'certs', 'dev'));
  const id = pki.client(o.thing);
  const broker = await startAwsLikeBroker({ port: 0, host: '127.0.0.1', pki, observers: ['observer'] });
  const events: string[] = [];
  let wake: (() => void) | undefined;
  const observer = pki.client('observer');
  const watcher = createCloudWatcher(
    { endpoint: '127.0.0.1', port: broker.port, cert: observer.cert, key: observer.key, ca: pki.ca, clientId: 'observer', topics: [eventTopic(Topic.DefaultPrefix, o.thing)] },
    (_topic, payload) => {
      events.push(payload);
      log.info(`    cloud <- ${payload}`);
      wake?.();
    },
  );
  const store = path.join(work, 'gateway');
  const gateway = await startGateway({
    bind: o.host === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0',
    port: 0,
    store,
    upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: pki.caPath },
    log: (l) => log.info(`    gateway: ${l}`),
  });
  try {
    await watcher.ready;
    log.info(`Local cloud: AWS-like broker on 127.0.0.1:${broker.port}, gateway on ${o.host}:${gateway.port}`);

    // 1. What is on the other end, and the Linux build's stand-ins.
    const { info, standIns, emptyBoot } = await withDevice(o.port, log, async (dev) => {
      const standIns = o.forceStandIns || needsStandIns(dev.info.modules);
      if (standIns) {
        const w = createStorageWriter(dev.client);
        w.install();
        await w.writeFiles(STAND_IN_FILES);
      }
      // The empty boot the RAM budget is counted from: no program. On the Linux build it carries
      // what the stand-ins cost on their own (measured on 2v29: the .boot0 button hook, which
      // reset() runs, 19 JsVars; the Wifi module required, 78; joined, 1 more), so that "over an
      // empty boot" is the firmware's own cost. reset() takes effect after the line it is on, so
      // the stand-in is required on a line of its own.
      let emptyBoot = await usageAfter(dev.client, 'reset()');
      if (standIns) emptyBoot = await usageAfter(dev.client, `require("Wifi").connect(${JSON.stringify(o.wifi.ssid)},{})`);
      return { info: dev.info, standIns, emptyBoot };
    });
    step('board answers', true, `Espruino ${info.version} on ${info.board}, tls ${info.hasTls ? 'yes' : 'no'}${standIns ? ', Wifi and button stand-ins installed' : ''}`);

    // 2. flash, 3. provision (gateway), 4. doctor, 5. presses; then direct TLS where possible.
    const flashed = await cli(o.cwd, ['flash', '--port', o.port], log);
    if (!step('npm run flash', flashed.code === 0, `exit ${flashed.code}`)) return steps;
    const env = { WIFI_PASSWORD: o.wifi.password };
    const common = ['--thing', o.thing, '--port', o.port, '--cert', id.certPath, '--key', id.keyPath, '--ca', pki.caPath, '--wifi-ssid', o.wifi.ssid];
    const modes: ('gateway' | 'direct')[] = info.hasTls && !o.gatewayOnly ? ['gateway', 'direct'] : ['gateway'];
    // The version the board runs: the flashed one, then whatever an update step installed.
    let running = projectVersion;
    for (const mode of modes) {
      const args =
        mode === 'gateway'
          ? ['provision', ...common, '--mode', 'gateway', '--gateway', `${o.host}:${gateway.port}`, '--gateway-store', store]
          : ['provision', ...common, '--mode', 'direct', '--endpoint', `${o.host === '127.0.0.1' ? 'localhost' : o.host}:${broker.port}`];
      const p = await cli(o.cwd, args, log, env);
      if (!step(`npm run provision (${mode})`, p.code === 0, `exit ${p.code}`)) return steps;
      const d = await cli(o.cwd, ['doctor', '--port', o.port], log);
      step(`npm run doctor (${mode})`, d.code === 0, `exit ${d.code}`);
      for (const [gesture, holdMs] of [['SINGLE', 100], ['LONG', 2000]] as const) {
        const before = events.length;
        // The stand-in button, driven through the console; the port is let go for the next command.
        if (standIns) await withDevice(o.port, log, (dev) => dev.client.evaluate(`PRESS(${holdMs})`));
        else log.info(`>>> Press the FLASH button now (${gesture === 'LONG' ? 'hold it for 2 s' : 'a short press'}).`);
        const got = await waitFor(() => events.length > before, o.timeoutS * 1000, (f) => (wake = f));
        const last = got ? JSON.parse(events[events.length - 1]) : undefined;
        step(`${gesture} press arrives in the cloud (${mode})`, !!got && last?.clickType === gesture, got ? `clickType ${last?.clickType}, seq ${last?.seq}` : `nothing within ${o.timeoutS} s`);
      }
      if (mode === 'direct') {
        // npm run update's code, with the broker's Jobs store for AWS IoT Jobs; then a press must carry the new version.
        const endpoint = o.host === '127.0.0.1' ? 'localhost' : o.host;
        const u = await updateDirectBoard({ cwd: o.cwd, work, thing: o.thing, endpoint, port: broker.port, pki, jobs: broker.jobs, log, running });
        if (!step('npm run update (direct)', u.ok, u.detail)) return steps;
        running = u.version;
        const before = events.length;
        if (standIns) await withDevice(o.port, log, (dev) => dev.client.evaluate('PRESS(100)'));
        else log.info('>>> Press the FLASH button now (a short press).');
        const got = await waitFor(() => events.length > before, o.timeoutS * 1000, (f) => (wake = f));
        const fw = got ? JSON.parse(events[events.length - 1]).fw : undefined;
        step('a press after the update carries the new version (direct)', fw === u.version, got ? `fw ${fw}` : `nothing within ${o.timeoutS} s`);
      }
      if (mode === 'gateway') {
        const used = await withDevice(o.port, log, (dev) => usageAfter(dev.client, ''));
        // A figure, not a step: a board that works is not failed here for RAM; the budget is the
        // firmware's to keep (firmware/MEMORY.md), and this is how to measure it on hardware.
        log.info(
          `RAM  connected through the gateway: ${used} JsVars in use; the firmware's own ${used - emptyBoot} over an empty boot of ${emptyBoot}${standIns ? ' (the stand-ins required and joined)' : ''} (budget ${GATEWAY_RAM_BUDGET})`,
        );
        if (o.update) {
          // The next patch version as an AWS IoT job in the local broker; the gateway executes it.
          const next = nextPatch(projectVersion);
          const { result: e, peak } = await withDevice(o.port, log, (dev) =>
            duringSampling(dev.client, () => rollOut({ cwd: o.cwd, jobs: broker.jobs, thing: o.thing, running: projectVersion, log: (l) => log.info(`    ${l}`), timeoutMs: 20 * 60000 })),
          );
          if (!step(`update to ${next} by job (gateway)`, e.status === 'SUCCEEDED', `${e.status}: ${e.statusDetails.detail ?? ''}`)) return steps;
          // The update's RAM on the board itself (issue 14's limit: +300 over idle while updating).
          if (peak > 0) log.info(`RAM  during the update: at most ${peak} JsVars in use (sampled at the console), ${peak - used} over the idle ${used} (limit +${OTA_RAM_LIMIT})`);
          running = next;
          const before = events.length;
          if (standIns) await withDevice(o.port, log, (dev) => dev.client.evaluate('PRESS(100)'));
          else log.info('>>> Press the FLASH button now (a short press).');
          const got = await waitFor(() => events.length > before, o.timeoutS * 1000, (f) => (wake = f));
          const fw = got ? (JSON.parse(events[events.length - 1]) as { fw?: string }).fw : undefined;
          step(`a press after the update comes from ${next}`, fw === next, got ? `fw ${fw}` : `nothing within ${o.timeoutS} s`);
        }
      }
    }
    return steps;
  } finally {
    await watcher.close();
    await gateway.close();
    await broker.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** JsVars the firmware may hold over an empty boot, connected in gateway mode (DEVELOPERS' budget). */
export const GATEWAY_RAM_BUDGET = 474;

/** JsVars an update may add over idle while it runs (issue 14; docs/ota.md). */
export const OTA_RAM_LIMIT = 300;

/**
 * Runs `work` while reading the board's process.memory().usage at the console about 4 times a second;
 * the largest reading (0 if none answered: the board restarts during an update, and a read then
 * fails and is skipped). A reading is live JsVars (Espruino collects garbage first), and costs the
 * console line's own few JsVars.
 */
async function duringSampling<T>(client: ConsoleClient, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      try {
        peak = Math.max(peak, await client.evaluate<number>('process.memory().usage', { timeoutMs: 2000 }));
      } catch {
        // the board is restarting into the new slot, or busy writing flash
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    return { result: await work(), peak };
  } finally {
    done = true;
    await sampling;
  }
}

/**
 * process.memory().usage (it collects garbage first) once `code` ran and the device settled: the
 * same figure twice, a second apart, so LED patterns and per-press work that end soon are not counted.
 */
async function usageAfter(client: ConsoleClient, code: string): Promise<number> {
  if (code) client.send(code);
  let last = -1;
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await client.evaluate<number>('process.memory().usage');
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Opens the board, runs `use`, and always lets go of the port: each CLI step opens it itself. */
async function withDevice<T>(port: string, log: Logger, use: (dev: ConnectedDevice) => Promise<T>): Promise<T> {
  const dev = await openDevice({ port, log });
  try {
    return await use(dev);
  } finally {
    await dev.close();
  }
}

function waitFor(ok: () => boolean, ms: number, onWake: (f: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(ok()), ms);
    const check = () => {
      if (ok()) {
        clearTimeout(t);
        resolve(true);
      }
    };
    onWake(check);
    check();
  });
}

export function summarize(steps: Step[]): void {
  const failed = steps.filter((s) => !s.ok);
  if (failed.length) throw new UserError(`${failed.length} of ${steps.length} steps failed (${failed.map((s) => s.name).join('; ')}): see docs/real-board.md for what each step needs.`, 'real-board-failed');
}
