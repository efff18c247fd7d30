// Opens the board the user means (--port, or the only USB serial device), gets its console's
// attention and asks what it is. Shared by flash, provision and doctor; it writes nothing.
import { findPort as defaultFindPort } from './serial-ports';
import { isUserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { createConsoleClient, DeviceReplyError, type ConsoleClient } from './console-client';
import { parseProbe, probeExpression, type DeviceInfo } from './device-probe';
import { CONSOLE_BAUD, type OpenTransport } from './link';
import { openTransport as defaultOpenTransport } from './transport';

export interface DeviceDeps {
  findPort?: (port?: string) => Promise<string>;
  openTransport?: OpenTransport;
}

export interface OpenDeviceOptions {
  port?: string;
  log: Logger;
  /** Reply timeout for every request (default 10 s). */
  timeoutMs?: number;
  /** More expressions answered with the first probe (one round trip). */
  probeExtra?: string[];
  /** See ConsoleClientOptions.syncWaitMs (tests shorten it). */
  syncWaitMs?: number;
}

export interface ConnectedDevice {
  port: string;
  client: ConsoleClient;
  info: DeviceInfo;
  extra: unknown[];
  close(): Promise<void>;
}

export async function openDevice(o: OpenDeviceOptions, deps: DeviceDeps = {}): Promise<ConnectedDevice> {
  const port = await (deps.findPort ?? defaultFindPort)(o.port);
  o.log.debug(`opening ${port}`);
  const transport = await (deps.openTransport ?? defaultOpenTransport)(port, { baud: CONSOLE_BAUD });
  const client = createConsoleClient(transport, { timeoutMs: o.timeoutMs, syncWaitMs: o.syncWaitMs, onLine: (l) => o.log.debug(`device: ${l}`) });
  try {
    const expr = probeExpression(o.probeExtra);
    let answer: unknown;
    try {
      // Usually the console is idle at a prompt and the probe is answered at once; a half-typed
      // line, a booting board or a running program needs the full sync first.
      answer = await client.evaluate(expr, { timeoutMs: Math.min(600, o.syncWaitMs ?? 600) });
    } catch (e) {
      if (!(e instanceof DeviceReplyError) && !(isUserError(e) && e.anchor === 'device-no-answer')) throw e;
      await client.sync();
      answer = await client.evaluate(expr);
    }
    const { info, extra } = parseProbe(port, answer);
    o.log.debug(`Espruino ${info.version} on ${info.board}, modules ${info.modules.join(',')}`);
    return { port, client, info, extra, close: () => client.close() };
  } catch (e) {
    await client.close();
    throw e;
  }
}
