// A headless virtual NodeMCU serving its console on 127.0.0.1:PORT until stopped; what
// `npm run simulator` runs. Argument parsing and process exit belong to tools/cli.ts.
import fs from 'node:fs';
import { createVirtualDevice, type VirtualDevice } from './device';
import type { DeviceTiming } from './timing';
import type { ProfileName } from './boards';

export interface RunSimulatorOptions {
  /** 0 picks a free port. */
  consolePort: number;
  profile: ProfileName;
  flashFile?: string;
  /** A bundle to store as `.bootcde` before booting (as a flash tool would): a file path, or the code. */
  bundle?: string;
  wifi?: { ssid: string; password: string };
  /** Device output, one line at a time. */
  log?: (line: string) => void;
  timing?: Partial<DeviceTiming>;
  serial?: string;
  /** The board's own LAN services (telnet console, port-88 stand-in) on these ports (0 = any free). */
  lan?: { telnet?: number; fota?: number };
}

export interface RunningSimulator {
  device: VirtualDevice;
  port: number;
  /** Where the LAN services listen, when asked for. */
  lan: { telnet?: number; fota?: number };
  close(): Promise<void>;
}

export async function runSimulator(opts: RunSimulatorOptions): Promise<RunningSimulator> {
  let partial = '';
  const log = opts.log;
  const device = createVirtualDevice({
    profile: opts.profile,
    flashFile: opts.flashFile,
    wifi: opts.wifi,
    serial: opts.serial,
    timing: opts.timing,
    console: log
      ? (text) => {
          partial += text;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) log(l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
        }
      : undefined,
  });
  try {
    if (opts.bundle !== undefined) {
      const isFile = opts.bundle.length < 4096 && !opts.bundle.includes('\n') && fs.existsSync(opts.bundle);
      device.storage.write('.bootcde', isFile ? fs.readFileSync(opts.bundle) : opts.bundle);
    }
    const port = await device.serveConsole(opts.consolePort);
    const lan = opts.lan ? await device.serveLan(opts.lan) : {};
    device.boot();
    return {
      device,
      port,
      lan,
      async close() {
        if (partial && log) log(partial);
        partial = '';
        await device.close();
      },
    };
  } catch (e) {
    await device.close();
    throw e;
  }
}
