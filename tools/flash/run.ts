// flash: build the firmware, check the board can hold it, write it into slot fw.a with the update
// receiver and a fresh boot log (write-slots.ts), save the A/B loader to .bootcde through the Espruino
// CLI (which resets the board first and load()s the new code after), then prove what the board
// stored by reading back lengths and CRC-32s. It does not touch config.json or certificates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildFirmware } from '../build/build-firmware';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { requireBoardJson } from '../device/board-json';
import { crc32 } from '../device/crc32';
import { isOlderThanTested, spaceFor, storedSize, TESTED_VERSION } from '../device/device-probe';
import { openDevice, type DeviceDeps } from '../device/open-device';
import { silentProgress, type ProgressFactory } from '../device/progress';
import { storageFileCrc } from '../device/storage-writer';
import { uploadWithEspruinoCli } from './espruino-cli';
import { buildOtaFiles } from '../build/build-ota-files';
import { slotFile, writeSlots } from './write-slots';

export interface FlashOptions {
  cwd: string;
  /** Serial device or tcp://host:port; default: the only USB serial device. */
  port?: string;
  /** Flash this bundle instead of building dist/firmware.js. */
  bundle?: string;
  /** Reply timeout for the board, default 10 s. */
  timeoutMs?: number;
}

export interface FlashDeps extends DeviceDeps {
  log: Logger;
  progress?: ProgressFactory;
  /** Builds the firmware and returns the bundle's path (default buildFirmware into dist/). */
  build?: (cwd: string, log: Logger) => Promise<string>;
  /** Builds the update receiver and the loader into `dir` (default buildOtaFiles). */
  buildOta?: (cwd: string, dir: string) => Promise<{ receiver: string; loader: string }>;
}

export interface FlashResult {
  port: string;
  board: string;
  version: string;
  bytes: number;
  crc: number;
  seconds: number;
  /** What the board printed after the new code started. */
  bootLines: string[];
}

async function defaultBuild(cwd: string, log: Logger): Promise<string> {
  return (await buildFirmware({ cwd, log: (l) => log.info(l) })).outFile;
}

// The CLI's module loader puts a "\n" before the code whenever it looked for a module the board
// lacks (espruino/core/modules.js: loadedModuleData.join("\n") + "\n" + code), e.g. our guarded
// require("tls") on an ESP8266. Either form is the bundle, byte for byte.
function acceptable(bundle: Buffer): { length: number; crc: number }[] {
  const nl = Buffer.concat([Buffer.from('\n'), bundle]);
  return [
    { length: bundle.length, crc: crc32(bundle) },
    { length: nl.length, crc: crc32(nl) },
  ];
}

export async function run(options: FlashOptions, deps: FlashDeps): Promise<FlashResult> {
  const { log } = deps;
  const started = Date.now();
  const bundlePath = options.bundle ? resolve(options.cwd, options.bundle) : await (deps.build ?? defaultBuild)(options.cwd, log);
  let bundle: Buffer;
  try {
    bundle = readFileSync(bundlePath);
  } catch {
    throw new UserError(`Cannot read the bundle ${bundlePath}: run npm run build, or pass an existing file with --bundle.`, 'bundle-missing');
  }
  // The CLI writes its socket as UTF-8 text: bytes above 127 would arrive changed.
  if (bundle.some((b) => b > 127)) {
    throw new UserError(`${bundlePath} holds non-ASCII bytes, which the Espruino CLI would re-encode on the way: build with esbuild's default charset (ascii).`, 'bundle-not-ascii');
  }

  const otaDir = mkdtempSync(join(tmpdir(), 'flash-ota-'));
  let ota: { receiver: string; loader: string };
  try {
    ota = await (deps.buildOta ?? ((cwd, dir) => buildOtaFiles({ cwd, outDir: dir, log: () => {} })))(options.cwd, otaDir);
  } catch (e) {
    rmSync(otaDir, { recursive: true, force: true });
    throw e;
  }
  const receiver = readFileSync(ota.receiver);
  const loader = readFileSync(ota.loader);
  const slot = slotFile(bundle);
  const oldFiles = ['.bootcde', 'fw.a', 'fw.b', 'ota.js'];
  let dev;
  try {
    dev = await openDevice({ port: options.port, log, timeoutMs: options.timeoutMs, probeExtra: oldFiles.map((n) => `(S.read("${n}")||"").length`) }, deps);
  } catch (e) {
    rmSync(otaDir, { recursive: true, force: true });
    throw e;
  }
  try {
    const { info } = dev;
    if (isOlderThanTested(info.version)) log.warn(`The board runs Espruino ${info.version}; this firmware was tested on ${TESTED_VERSION}: update Espruino if it misbehaves.`);
    const boardJson = requireBoardJson(options.cwd, info.board);
    const old = dev.extra.map((x) => Number(x) || 0).reduce((a, n) => a + (n ? storedSize(n) : 0), 0);
    const need = storedSize(slot.length) + storedSize(receiver.length) + storedSize(loader.length + 1) + storedSize(128);
    const room = spaceFor(info.storage, old);
    if (need > room) {
      throw new UserError(
        `The firmware (${bundle.length} bytes) does not fit in the board's free Storage (${room} bytes, counting the old firmware and deleted files): make the firmware smaller, or free Storage (require("Storage").list() shows what is there).`,
        'bundle-too-big',
      );
    }

    log.info(`Flashing ${bundle.length} bytes into slot fw.a on ${info.board} (Espruino ${info.version}) on ${dev.port}, then the loader with the Espruino CLI...`);
    const total = slot.length + loader.length;
    const bar = (deps.progress ?? silentProgress)('flash', total);
    let result;
    try {
      let sent = 0;
      await writeSlots(dev.client, bundle, receiver, (n) => bar.set((sent += n)), options.timeoutMs);
      result = await uploadWithEspruinoCli({
        cwd: options.cwd,
        client: dev.client,
        bundlePath: ota.loader,
        boardJson,
        log,
        onProgress: (done, all) => bar.set(slot.length + Math.round((done / all) * loader.length)),
      });
    } finally {
      bar.stop();
    }
    const uncaught = result.deviceLines.find((l) => l.startsWith('Uncaught'));

    // After load() the new program runs; its console answers between events.
    await dev.client.sync();
    const boot = await storageFileCrc(dev.client, '.bootcde');
    const stored = await storageFileCrc(dev.client, 'fw.a');
    const ok = boot && acceptable(loader).some((a) => a.length === boot.length && a.crc === boot.crc) && stored && stored.length === slot.length && stored.crc === crc32(slot);
    if (!ok) {
      const said = uncaught ?? result.cliLines.find((l) => /error|unable|not found/i.test(l));
      const what = !boot ? 'there is no .bootcde' : !stored ? 'there is no fw.a' : `.bootcde (${boot.length} bytes) or fw.a (${stored.length} bytes) does not match what was sent`;
      throw new UserError(
        `The upload did not arrive intact (${what}${said ? `; the board said: ${said}` : ''}): run npm run flash again, with --verbose to see the whole exchange.`,
        'flash-verify-failed',
      );
    }
    const bootLines = result.bootLines;
    if (uncaught) log.warn(`The board printed "${uncaught}" during the upload: check the firmware's output (npm run monitor or --verbose).`);
    const seconds = (Date.now() - started) / 1000;
    log.info(
      `Flashed and verified .bootcde (the A/B loader, ${boot!.length} bytes) and fw.a (${stored!.length} bytes, CRC-32 ${stored!.crc.toString(16).padStart(8, '0')}) in ${seconds.toFixed(1)} s; the board restarted into it.`,
    );
    return { port: dev.port, board: info.board, version: info.version, bytes: bundle.length, crc: stored!.crc, seconds, bootLines };
  } finally {
    await dev.close();
    rmSync(otaDir, { recursive: true, force: true });
  }
}
