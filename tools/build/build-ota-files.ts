// Builds the two files an A/B device holds besides its firmware slot: dist/ota.js, the update
// receiver (a Storage module loaded only while an update or a trial needs it; it does not count
// toward the firmware's budget but passes the same Espruino gate), and dist/loader.js, the
// `.bootcde` that boots a slot. It does not build the firmware itself (build-firmware.ts).
import * as fs from 'fs';
import * as path from 'path';
import { buildFirmware, FirmwareBuildError } from './build-firmware';
import { findEspruinoProblems } from './espruino-gate';
import { espruinoGlobalNames } from './espruino-globals';
import { LOADER_SOURCE } from '../../firmware/ota/loader-source';

/** The receiver may weigh this much: it sits in Storage next to two slots. */
export const receiverBudgetBytes = 8 * 1024;

export interface OtaFiles {
  receiver: string;
  loader: string;
  receiverBytes: number;
  loaderBytes: number;
}

export async function buildOtaFiles(opts: { cwd: string; log?: (line: string) => void; outDir?: string }): Promise<OtaFiles> {
  const cwd = path.resolve(opts.cwd);
  const log = opts.log ?? ((l: string) => console.log(l));
  const outDir = path.resolve(cwd, opts.outDir ?? 'dist');
  const receiver = path.join(outDir, 'ota.js');
  await buildFirmware({ cwd, entry: 'firmware/ota/receiver-main.ts', outFile: receiver, budgetBytes: receiverBudgetBytes, log });
  // Wrapped, so none of its names become globals when the hook evals it (the hook takes E.ota).
  const code = '(function(){' + fs.readFileSync(receiver, 'latin1').trimEnd() + '})();\n';
  fs.writeFileSync(receiver, code, 'latin1');

  const problems = findEspruinoProblems(LOADER_SOURCE, espruinoGlobalNames());
  if (problems.length > 0) {
    for (const p of problems) log(`firmware/ota/loader-source.ts (loader.js:${p.line}:${p.column + 1})  ${p.construct}: ${p.message}`);
    throw new FirmwareBuildError('The boot loader uses constructs Espruino 2v29 cannot run (listed above).', 'gate');
  }
  const loader = path.join(outDir, 'loader.js');
  fs.writeFileSync(loader, LOADER_SOURCE, 'latin1');
  log(`${path.relative(cwd, receiver)}: ${code.length} bytes (update receiver, loaded only while updating); ${path.relative(cwd, loader)}: ${LOADER_SOURCE.length} bytes (.bootcde)`);
  return { receiver, loader, receiverBytes: code.length, loaderBytes: LOADER_SOURCE.length };
}
