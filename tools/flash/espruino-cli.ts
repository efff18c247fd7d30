// Runs the Espruino CLI (npm `espruino`) as a child process to save a bundle to .bootcde, over a
// loopback TCP bridge into our already-open console: the port is opened once (serial or telnet),
// every byte the CLI sends is seen (that is the progress bar), and a CLI that lingers is cut off.
// It does not judge success: the CLI exits 0 even on failure, so run.ts reads the file back.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import type { ConsoleClient } from '../device/console-client';

export interface CliUploadOptions {
  cwd: string;
  client: ConsoleClient;
  bundlePath: string;
  boardJson: string;
  log: Logger;
  /** Called with how many bundle bytes the CLI has sent so far. */
  onProgress?: (done: number, total: number) => void;
  /** Whole upload, default 180 s. */
  timeoutMs?: number;
  /** How long the CLI may stay after its final load(), default 3 s. */
  lingerMs?: number;
}

export interface CliUploadResult {
  exitCode: number | null;
  /** Lines the device printed during the upload (errors show here, not in the exit code). */
  deviceLines: string[];
  /** What the CLI itself printed. */
  cliLines: string[];
  /** Bytes the CLI sent to the device. */
  sentBytes: number;
  sawLoad: boolean;
  /** Device lines printed after the CLI's final load(): the new program starting. */
  bootLines: string[];
}

/** The CLI's entry point, resolved from the project's node_modules. */
export function espruinoCliPath(cwd: string): string {
  try {
    return join(dirname(createRequire(join(cwd, 'package.json')).resolve('espruino/package.json')), 'bin', 'espruino-cli.js');
  } catch {
    throw new UserError('The Espruino CLI (npm package espruino) is not installed: run npm install in the project folder.', 'espruino-cli-missing');
  }
}

/**
 * Arguments for a fully offline save to flash: a local board JSON (its builtin_modules stop module
 * downloads, and it gives the version so the CLI uses Storage), empty download URLs, and
 * SAVE_ON_SEND=1: reset(), .bootcde written in 1024-byte chunks, then load().
 */
export function cliArguments(cliPath: string, bridgePort: number, boardJson: string, bundlePath: string): string[] {
  return [
    cliPath,
    '--no-ble',
    '-b', '115200',
    '-p', `tcp://127.0.0.1:${bridgePort}`,
    '--board', boardJson,
    '--config', 'MODULE_URL=',
    '--config', 'BOARD_JSON_URL=',
    '--config', 'SAVE_ON_SEND=1',
    bundlePath,
  ];
}

// One chunk line of the CLI's save to flash: require("Storage").write(".bootcde","...",OFFSET[,TOTAL]);
const CHUNK_LINE = /^\x10?require\("Storage"\)\.write\("\.bootcde",[\s\S]*?,(\d+)(?:,(\d+))?\);?$/;
const CLI_CHUNK = 1024; // saveOnSend.js CHUNKSIZE

export async function uploadWithEspruinoCli(o: CliUploadOptions): Promise<CliUploadResult> {
  const cliPath = espruinoCliPath(o.cwd);
  const deviceLines: string[] = [];
  const cliLines: string[] = [];
  let sentBytes = 0;
  let sawLoad = false;
  let loadIndex = -1;
  let sock: net.Socket | undefined;
  let pending: Buffer[] = [];
  let deviceText = '';
  let cliText = '';
  let total = 0;

  const raw = o.client.raw((d) => {
    deviceText += d.toString('latin1');
    const lines = deviceText.split('\n');
    deviceText = lines.pop() ?? '';
    for (const l of lines) {
      const clean = l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '').replace(/^>+/, '').trim();
      if (clean) {
        deviceLines.push(clean);
        o.log.debug(`device: ${clean}`);
      }
    }
    if (sock) sock.write(d);
    else pending.push(d);
  });

  const server = net.createServer((s) => {
    if (sock) return void s.destroy();
    sock = s;
    s.setNoDelay(true);
    for (const d of pending) s.write(d);
    pending = [];
    s.on('data', (d: Buffer) => {
      sentBytes += d.length;
      raw.write(d);
      cliText += d.toString('latin1');
      const lines = cliText.split('\n');
      cliText = lines.pop() ?? '';
      for (const l of lines) {
        const m = CHUNK_LINE.exec(l);
        if (m) {
          if (m[2]) total = Number(m[2]);
          if (total) o.onProgress?.(Math.min(total, Number(m[1]) + CLI_CHUNK), total);
        } else if (/^\x10?load\(\);?$/.test(l)) {
          sawLoad = true;
          loadIndex = deviceLines.length;
          // The CLI waits for the device to fall silent; a program that keeps printing would keep it forever.
          setTimeout(() => s.end(), o.lingerMs ?? 3000).unref();
        }
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const bridgePort = (server.address() as net.AddressInfo).port;

  try {
    const child = spawn(process.execPath, cliArguments(cliPath, bridgePort, o.boardJson, o.bundlePath), { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => {
      for (const l of d.toString('utf8').split('\n')) {
        const t = l.trim();
        if (t) {
          cliLines.push(t);
          o.log.debug(`espruino cli: ${t}`);
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new UserError(`The Espruino CLI did not finish within ${(o.timeoutMs ?? 180000) / 1000} s: check the device's output above (run with --verbose), then try again.`, 'flash-timeout'));
      }, o.timeoutMs ?? 180000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    return { exitCode, deviceLines, cliLines, sentBytes, sawLoad, bootLines: loadIndex < 0 ? [] : deviceLines.slice(loadIndex) };
  } finally {
    raw.release();
    sock?.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
