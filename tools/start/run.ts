// `npm start`: build, then the whole chain on this machine (virtual NodeMCU → broker → cloud-side
// SDK client), interactive by default; `--press ... --exit` makes it a scriptable check, and
// `--update` rolls the next version out through the local AWS IoT Jobs (the u key, scripted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventFilter, isEventTopic, Topic } from '../../firmware/core/wire-contract';
import { buildFirmware } from '../build/build-firmware';
import { buildOtaFiles } from '../build/build-ota-files';
import { rollOut } from './roll-out';
import { UserError } from '../shared/errors';
import { startDemo, type Gesture } from './demo';
import { createTerminalUi } from './terminal-ui';

export interface StartOptions {
  cwd: string;
  profile: 'esp8266' | 'esp32';
  press?: Gesture[];
  exit: boolean;
  timeoutS: number;
  brokerPort: number;
  thing: string;
  flash?: string;
  verbose: boolean;
  /** Roll the next patch version out through the local AWS IoT Jobs and print its outcome (then --exit). */
  update?: boolean;
}

export async function runStart(o: StartOptions): Promise<void> {
  const scripted = o.press !== undefined || o.exit || o.update === true;
  const say = (l: string) => (scripted ? process.stderr.write(l + '\n') : console.log(l));
  await buildFirmware({ cwd: o.cwd, log: scripted && !o.verbose ? () => {} : say });
  // The device is flashed A/B, as npm run flash leaves a board, so it can take updates.
  const ab = await buildOtaFiles({ cwd: o.cwd, log: scripted && !o.verbose ? () => {} : say });
  const ui = scripted ? undefined : createTerminalUi();
  // The version the device runs, from its boot banner (it changes when an update is proven).
  let running = (JSON.parse(readFileSync(join(o.cwd, 'package.json'), 'utf8')) as { version: string }).version;
  const banner = (l: string) => {
    const m = /^espruino-aws-button (\d+\.\d+\.\d+)/.exec(l);
    if (m) running = m[1];
  };
  const demo = await startDemo({
    cwd: o.cwd,
    profile: o.profile,
    thing: o.thing,
    flashFile: o.flash,
    brokerPort: o.brokerPort,
    ab,
    onConsole: (l) => {
      banner(l);
      if (ui) ui.line(`[device] ${l}`);
      else if (o.verbose) say(`[device] ${l}`);
    },
    onLed: (lit) => ui?.led(lit),
    onCloud: (topic, payload) => {
      if (ui) ui.line(`[cloud]  ${topic}  ${payload}`);
      else if (isEventTopic(topic)) console.log(JSON.stringify({ topic, payload: safeJson(payload) }));
    },
    log: o.verbose ? (l) => say(`[broker] ${l}`) : undefined,
    onGatewayLog: (l) => (ui ? ui.line(`[gateway] ${l}`) : o.verbose && say(`[gateway] ${l}`)),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new UserError(`Port ${o.brokerPort} is in use: stop the other broker or pass --broker-port N (0 picks a free one).`);
    throw e;
  });
  try {
    if (ui) {
      const path = demo.via === 'gateway' ? `LAN gateway on 127.0.0.1:${demo.gatewayPort} → ` : 'direct TLS → ';
      ui.line(`Virtual NodeMCU (${o.profile}) "${demo.thing}": ${path}AWS-like broker on 127.0.0.1:${demo.brokerPort}; the cloud side watches ${eventFilter(Topic.DefaultPrefix)}.`);
      let updating = false;
      const update = () => {
        if (demo.via !== 'gateway') return ui.line('[jobs] this ESP32 connects directly, not through the gateway: its jobs run with npm run update (docs/ota.md)');
        if (updating) return ui.line('[jobs] an update is under way: wait for its outcome');
        updating = true;
        rollOut({ cwd: o.cwd, jobs: demo.jobs, thing: demo.thing, running, log: (l) => ui.line(`[jobs] ${l}`) })
          .then((e) => ui.line(`[jobs] ${e.status === 'SUCCEEDED' ? 'done' : 'not installed'}: ${e.status} (${e.statusDetails.detail ?? ''}); the device runs ${running}`))
          .catch((e: Error) => ui.line(`[jobs] ${e.message}`))
          .finally(() => (updating = false));
      };
      await ui.run(demo, { update });
      return;
    }
    const gestures = o.press ?? [];
    for (const g of gestures) {
      await demo.press(g);
      // Leave room after each gesture so the next one is not read as a double press.
      await new Promise((r) => setTimeout(r, 700));
    }
    if (gestures.length) {
      await demo.waitForEvents(gestures.length, o.timeoutS * 1000).catch((e: Error) => {
        throw new UserError(`${e.message}; run again with --verbose to see the device console.`);
      });
    }
    if (o.update) {
      if (demo.via !== 'gateway') throw new UserError('--update rolls out through the LAN gateway: use the esp8266 profile (an ESP32 takes its jobs with npm run update).');
      // Created at once: the gateway executes it when the device is connected (a job waits for an offline one).
      const e = await rollOut({ cwd: o.cwd, jobs: demo.jobs, thing: demo.thing, running, log: say, timeoutMs: o.timeoutS * 1000 });
      console.log(JSON.stringify({ job: e.jobId, status: e.status, detail: e.statusDetails.detail, running }));
      if (e.status !== 'SUCCEEDED') throw new UserError(`The update was not installed: ${e.status} (${e.statusDetails.detail ?? 'no detail'}).`);
    }
  } finally {
    await demo.close();
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
