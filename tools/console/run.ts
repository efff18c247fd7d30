// `npm run console`: the device's console live in this terminal, like a serial monitor, with the
// secrets its config.json holds masked. It stays attached through the board's resets, waits for
// the board to come back when unplugged, sends keystrokes to the REPL, and quits on Ctrl-], closing
// the port so that flash or provision can open it at once. It writes nothing to Storage.
import { findPort as defaultFindPort } from '../device/serial-ports';
import { isUserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { openDevice, type DeviceDeps } from '../device/open-device';
import { readDeviceConfig } from '../device/read-config';
import { openTransport as defaultOpenTransport } from '../device/transport';
import { CONSOLE_BAUD, type Transport } from '../device/link';
import { CONFIG_FILE } from '../provision/storage-plan';
import { createLinePrinter } from './line-printer';

export const QUIT_KEY = 0x1d; // Ctrl-]

export interface ConsoleOptions {
  port?: string;
  /** Read config.json once, masked, so that its secrets are masked in what the device prints (default true). */
  readSecrets?: boolean;
  /** Between attempts to reopen a lost port (default 500 ms). */
  retryMs?: number;
}

/** Keystrokes for the device; Ctrl-] among them quits. */
export interface ConsoleInput {
  onData(fn: (d: Buffer) => void): void;
  close(): void;
}

export interface ConsoleDeps extends DeviceDeps {
  log: Logger;
  /** The device's text (default stdout). */
  write?: (text: string) => void;
  /** Default: this terminal in raw mode when stdin is one, else nothing. */
  input?: ConsoleInput | null;
  /** Another way to quit (default: SIGTERM, and SIGINT when there is no raw terminal). */
  stop?: Promise<void>;
}

export interface ConsoleResult {
  port: string;
  reconnects: number;
}

function terminalInput(): ConsoleInput | null {
  const stdin = process.stdin;
  if (!stdin.isTTY) return null;
  stdin.setRawMode(true);
  stdin.resume();
  return {
    onData: (fn) => stdin.on('data', fn),
    close() {
      stdin.setRawMode(false);
      stdin.pause();
    },
  };
}

function untilSignal(signals: NodeJS.Signals[]): { promise: Promise<void>; dispose(): void } {
  let done: () => void = () => {};
  const promise = new Promise<void>((r) => (done = r));
  const on = () => done();
  for (const s of signals) process.once(s, on);
  return { promise, dispose: () => signals.forEach((s) => process.off(s, on)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runConsole(o: ConsoleOptions, deps: ConsoleDeps): Promise<ConsoleResult> {
  const { log } = deps;
  const find = deps.findPort ?? defaultFindPort;
  const open = deps.openTransport ?? defaultOpenTransport;
  let port = await find(o.port);
  const transport = await firstOpen(port, o, deps);

  const input = deps.input === undefined ? terminalInput() : deps.input;
  const signal = untilSignal(input ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']);
  let quit: () => void = () => {};
  const quitting = new Promise<void>((r) => (quit = r));
  let stopped = false;
  let current: Transport | undefined;
  let reconnects = 0;
  const printer = createLinePrinter({ write: deps.write ?? ((t) => void process.stdout.write(t)), redact: log.redact });

  const attach = (t: Transport) => {
    current = t;
    t.onData((d) => printer.push(d));
    t.onClose((why) => {
      if (stopped || current !== t) return;
      current = undefined;
      printer.flush();
      log.info(`-- ${port} went away (${why}); waiting for it to come back (${input ? 'Ctrl-]' : 'Ctrl-C'} quits)`);
      void reopen();
    });
  };
  const reopen = async () => {
    while (!stopped) {
      await sleep(o.retryMs ?? 500);
      if (stopped) return;
      try {
        // Without --port, a replugged board may get another name: look again.
        if (o.port === undefined) port = await find(undefined);
        const t = await open(port, { baud: CONSOLE_BAUD, connectTimeoutMs: 2000 });
        if (stopped) return void (await t.close());
        attach(t);
        reconnects++;
        log.info(`-- ${port} is back`);
        return;
      } catch (e) {
        if (!isUserError(e)) throw e;
      }
    }
  };

  attach(transport);
  input?.onData((d) => {
    const at = d.indexOf(QUIT_KEY);
    if (at >= 0) {
      if (at > 0) current?.write(d.subarray(0, at));
      quit();
    } else current?.write(d);
  });
  log.info(`-- console on ${port}; ${input ? 'Ctrl-] quits' : 'Ctrl-C quits'}`);
  try {
    await Promise.race([quitting, signal.promise, ...(deps.stop ? [deps.stop] : [])]);
  } finally {
    stopped = true;
    signal.dispose();
    printer.flush();
    printer.dispose();
    input?.close();
    await current?.close();
    log.info(`-- closed ${port}`);
  }
  return { port, reconnects };
}

/**
 * Opens the port and, unless told not to, reads config.json masked (registering its secrets with
 * the logger) through the usual probe. A board that does not answer is still shown, unmasked but
 * for private keys; a port that cannot be opened (busy, missing) is the one-sentence error.
 */
async function firstOpen(port: string, o: ConsoleOptions, deps: ConsoleDeps): Promise<Transport> {
  const open = deps.openTransport ?? defaultOpenTransport;
  if (o.readSecrets === false) return open(port, { baud: CONSOLE_BAUD });
  let opened: Transport | undefined;
  try {
    const dev = await openDevice(
      { port, log: deps.log, timeoutMs: 3000 },
      {
        findPort: async () => port,
        openTransport: async (p, oo) => (opened = await open(p, oo)),
      },
    );
    await readDeviceConfig(dev.client, CONFIG_FILE, deps.log);
    return opened!;
  } catch (e) {
    if (!opened) throw e; // the port itself: busy, missing, refused
    await opened.close().catch(() => undefined);
    deps.log.warn(`The board did not answer (${e instanceof Error ? e.message : String(e)}): showing its console without reading config.json, so only private keys are masked.`);
    return open(port, { baud: CONSOLE_BAUD });
  }
}
