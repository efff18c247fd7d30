// A rig test file's workspace: a temp folder with the exact firmware bundle and a development PKI.
// Its own file so rig.ts and rig-device.ts can both use it without importing each other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFirmware } from '../../../tools/build/build-firmware';
import { ensureDevPki, type DevPki } from '../../../tools/pki/dev-pki';

export const ROOT = resolve(__dirname, '../../..');

/** A temp folder with the exact firmware bundle and a development PKI, for one test file. */
export interface Workspace {
  dir: string;
  bundle: string;
  pki: DevPki;
  cleanup(): void;
}

export async function createWorkspace(): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'rig-'));
  const bundle = join(dir, 'firmware.js');
  await buildFirmware({ cwd: ROOT, outFile: bundle, log: () => {}, budgetBytes: 1 << 20 });
  const pki = ensureDevPki(join(dir, 'pki'));
  return { dir, bundle, pki, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
