// Builds dist/firmware.js: esbuild bundles the firmware, the Espruino gate checks the output, and a
// clean bundle is size-checked. It does not upload anything. A rejected build removes the old outputs
// so no stale bundle gets flashed.
//
// The bundle is not wrapped in a function: its top-level names are globals on the device. Wrapped,
// every closure made inside a factory carried a copy of a two-level scope chain, about 42 JsVars in
// all (measured on the 2v29 interpreter, firmware/MEMORY.md), and the wrapper cost 20 bytes. The
// price is that a top-level name could replace one of Espruino's globals: espruino-globals.ts keeps
// esbuild's minifier away from those names, and the gate checks that it did.

import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { createLocator, withMapFile, type SourcePosition } from './bundle-source-map';
import { findEspruinoProblems, type EspruinoProblem } from './espruino-gate';
import { espruinoGlobalNames, reservingBlock } from './espruino-globals';
import { deleteBootOnlyNames } from './boot-only-names';
import { firmwareBudgetBytes, firmwareBuildOptions } from './firmware-options';
import { UserError } from '../shared/errors';
import { ruleTable } from '../../config/rules';

export interface BuildFirmwareOptions {
  cwd: string;
  /** Entry module, relative to cwd. Default firmware/main.ts. */
  entry?: string;
  /** Output file, relative to cwd. Default dist/firmware.js; the map goes next to it (+ .map). */
  outFile?: string;
  log?: (line: string) => void;
  /** Largest bundle allowed, in bytes. Default 20 KB (firmwareBudgetBytes). */
  budgetBytes?: number;
  /** The firmware's version instead of package.json's (npm start's update key builds the next one). */
  version?: string;
}

/** A gate problem with where it came from in the TypeScript sources (null for esbuild helper code). */
export interface LocatedProblem extends EspruinoProblem {
  source: SourcePosition | null;
}

/** A problem rejects the build (see FirmwareBuildError.problems), so a result has none. */
export interface BuildFirmwareResult {
  bytes: number;
  outFile: string;
}

/**
 * An expected build failure: its message is one sentence for the user; the details were logged.
 * A UserError, so every command that builds (build, start, flash, bench) reports it as one.
 */
export class FirmwareBuildError extends UserError {
  constructor(message: string, readonly reason: 'esbuild' | 'gate' | 'budget', readonly problems: LocatedProblem[] = []) {
    super(message, 'build-rejected');
    this.name = 'FirmwareBuildError';
  }
}

function kb(bytes: number): string {
  return `${Number((bytes / 1024).toFixed(1))} KB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// Columns are printed 1-based, as editors and terminals expect of file:line:col.
function formatMessage(kind: string, m: esbuild.Message): string {
  const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}  ` : '';
  return `${where}${kind}${m.text}`;
}

function formatProblem(p: LocatedProblem, bundleName: string): string {
  const where = p.source
    ? `${p.source.file}:${p.source.line}:${p.source.column + 1}`
    : `${bundleName}:${p.line}:${p.column + 1} (esbuild helper code)`;
  return `${where}  ${p.construct}: ${p.message}`;
}

function removeOutputs(outFile: string): void {
  fs.rmSync(outFile, { force: true });
  fs.rmSync(`${outFile}.map`, { force: true });
}

/** Appends the reserving block to the entry as esbuild loads it (the file on disk is untouched). */
function reserveNames(entry: string, names: string[]): esbuild.Plugin {
  return {
    name: 'reserve-espruino-globals',
    setup(b) {
      b.onLoad({ filter: new RegExp(`^${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }, (args) => ({
        contents: fs.readFileSync(args.path, 'utf8') + reservingBlock(names),
        loader: path.extname(args.path) === '.js' ? 'js' : 'ts',
      }));
    },
  };
}

/** The project's package.json as the firmware imports it, with another version (the file on disk is untouched). */
function packageVersion(cwd: string, version: string): esbuild.Plugin {
  const file = path.join(cwd, 'package.json');
  return {
    name: 'package-version',
    setup(b) {
      b.onLoad({ filter: /package\.json$/ }, (args) => (args.path === file ? { contents: JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), version }), loader: 'json' } : undefined));
    },
  };
}

async function bundle(cwd: string, entry: string, outFile: string, names: string[], log: (line: string) => void, version?: string): Promise<esbuild.BuildResult> {
  try {
    const result = await esbuild.build({
      ...firmwareBuildOptions,
      plugins: [reserveNames(entry, names), ...(version ? [packageVersion(cwd, version)] : [])],
      // The config rules as a string literal in the code: it stays in flash, never a RAM variable.
      define: { __CONFIG_RULES__: JSON.stringify(ruleTable()) },
      entryPoints: [entry],
      outfile: outFile,
      absWorkingDir: cwd,
      tsconfig: path.resolve(cwd, firmwareBuildOptions.tsconfig),
      write: false,
      logLevel: 'silent',
    });
    for (const w of result.warnings) log(formatMessage('warning: ', w));
    return result;
  } catch (err) {
    const failure = err as Partial<esbuild.BuildFailure>;
    if (!Array.isArray(failure.errors)) throw err;
    for (const e of failure.errors) {
      log(formatMessage('', e));
      for (const note of e.notes) if (note.text) log(`    note: ${note.text}`);
    }
    throw new FirmwareBuildError(`Firmware build failed: esbuild reported ${plural(failure.errors.length, 'error')} (listed above).`, 'esbuild');
  }
}

export async function buildFirmware(opts: BuildFirmwareOptions): Promise<BuildFirmwareResult> {
  const cwd = path.resolve(opts.cwd);
  const log = opts.log ?? ((line: string) => console.log(line));
  const entry = path.resolve(cwd, opts.entry ?? firmwareBuildOptions.entryPoints[0]);
  const outFile = path.resolve(cwd, opts.outFile ?? firmwareBuildOptions.outfile);
  const budget = opts.budgetBytes ?? firmwareBudgetBytes;
  const shownName = path.relative(cwd, outFile).split(path.sep).join('/');

  const names = espruinoGlobalNames();
  let result: esbuild.BuildResult;
  try {
    result = await bundle(cwd, entry, outFile, names, log, opts.version);
  } catch (err) {
    removeOutputs(outFile);
    throw err;
  }
  const files = result.outputFiles ?? [];
  const js = files.find((f) => f.path === outFile);
  const map = files.find((f) => f.path === `${outFile}.map`);
  if (!js || !map) throw new Error(`Bug: esbuild returned no ${shownName} or no source map.`);

  const locate = createLocator(map.text, outFile, cwd);
  const problems: LocatedProblem[] = findEspruinoProblems(js.text, names).map((p) => ({ ...p, source: locate(p.line, p.column) }));
  if (problems.length > 0) {
    for (const p of problems) log(formatProblem(p, shownName));
    removeOutputs(outFile);
    throw new FirmwareBuildError(
      `Firmware build rejected: ${plural(problems.length, 'construct')} Espruino 2v29 cannot run (listed above).`, 'gate', problems);
  }

  // After the boot code, the names of the factories that freed themselves go too (boot-only-names.ts):
  // a last line, so the source map's lines stay true.
  const deletes = deleteBootOnlyNames(js.text);
  const code = js.text.trimEnd() + '\n' + (deletes ? deletes + '\n' : '');
  const bytes = Buffer.byteLength(code);
  if (bytes > budget) {
    removeOutputs(outFile);
    throw new FirmwareBuildError(
      `Firmware bundle is ${bytes} bytes (${kb(bytes)}), over the ${kb(budget)} budget by ${bytes - budget} bytes: ` +
      'remove code or dependencies from the firmware before flashing.', 'budget');
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, code);
  fs.writeFileSync(`${outFile}.map`, withMapFile(map.text, path.basename(outFile)));
  log(`${shownName}: ${bytes} bytes (${kb(bytes)}) of the ${kb(budget)} budget`);
  return { bytes, outFile };
}
