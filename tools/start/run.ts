// `npm start`: build, then the whole chain on this machine (virtual NodeMCU → broker → cloud-side
// SDK client), interactive by default; `--press ... --exit` makes it a scriptable check.
import { eventFilter, isEventTopic, Topic } from '../../firmware/core/wire-contract';
import { buildFirmware } from '../build/build-firmware';
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
}

export async function runStart(o: StartOptions): Promise<void> {
  const scripted = o.press !== undefined || o.exit;
  const say = (l: string) => (scripted ? process.stderr.write(l + '\n') : console.log(l));
  await buildFirmware({ cwd: o.cwd, log: scripted && !o.verbose ? () => {} : say });
  const ui = scripted ? undefined : createTerminalUi();
  const demo = await startDemo({
    cwd: o.cwd,
    profile: o.profile,
    thing: o.thing,
    flashFile: o.flash,
    brokerPort: o.brokerPort,
    onConsole: (l) => (ui ? ui.line(`[device] ${l}`) : o.verbose && say(`[device] ${l}`)),
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
      await ui.run(demo);
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
