// What `npm run flash` leaves on an A/B device, for update tests: the firmware, the update receiver
// and the loader built into a folder, the same firmware under another version, and a virtual
// device's Storage written as the flash does. Shared by the ota, gateway and update tests; it
// asserts nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFirmware } from '../../tools/build/build-firmware';
import { buildOtaFiles } from '../../tools/build/build-ota-files';
import { freshLog, slotFile } from '../../tools/flash/write-slots';

const ROOT = join(__dirname, '../..');

export interface AbFiles {
  fw: Buffer;
  receiver: Buffer;
  loader: Buffer;
}

/** Builds the receiver and loader into `dir`, and the firmware too unless `fwFile` names a built one. */
export async function buildAbFiles(dir: string, fwFile?: string): Promise<AbFiles> {
  let file = fwFile;
  if (file === undefined) {
    file = join(dir, 'firmware.js');
    await buildFirmware({ cwd: ROOT, outFile: file, log: () => {}, budgetBytes: 1 << 20 });
  }
  const ota = await buildOtaFiles({ cwd: ROOT, outDir: dir, log: () => {} });
  return { fw: readFileSync(file), receiver: readFileSync(ota.receiver), loader: readFileSync(ota.loader) };
}

/** The firmware with another version string (the build's first `="x.y.z"` is package.json's version). */
export function withVersion(fw: Buffer, v: string): Buffer {
  return Buffer.from(fw.toString('latin1').replace(/="\d+\.\d+\.\d+"/, `="${v}"`), 'latin1');
}

interface Writable {
  write(name: string, data: string | Uint8Array): unknown;
}

/** Slot a holds the firmware, a fresh boot log, the receiver, and the loader as .bootcde (or `loader`). */
export function writeAbFlash(storage: Writable, files: AbFiles, loader?: string | Buffer): void {
  storage.write('fw.a', slotFile(files.fw));
  storage.write('ota.js', files.receiver);
  storage.write('.otalog', freshLog());
  storage.write('.bootcde', loader ?? files.loader);
}
