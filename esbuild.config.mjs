// esbuild options for the firmware bundle, re-exported from tools/build/firmware-options.ts (the one
// source of truth, which TypeScript tools and jest can import; jest cannot load this ESM file).
// `npm run build` (tools/build) uses them, then runs the Espruino gate over the output.
// Run directly (`node esbuild.config.mjs`) it only prints them.

import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const source = readFileSync(new URL('./tools/build/firmware-options.ts', import.meta.url), 'utf8');
const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
const options = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);

export const espruinoBuiltins = options.espruinoBuiltins;
export const firmwareBudgetBytes = options.firmwareBudgetBytes;
/** @type {import('esbuild').BuildOptions} */
export const firmwareBuildOptions = options.firmwareBuildOptions;

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(firmwareBuildOptions, null, 2));
  console.log('\nBuild with `npm run build`.');
}
