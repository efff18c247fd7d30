// The esbuild options for the firmware bundle: the one source of truth (esbuild.config.mjs re-exports
// these). Holds settings only; tools/build/build-firmware.ts runs the build and the Espruino gate.
//
// Why these settings (docs/espruino.md):
// - format 'cjs' keeps `require("Wifi")` verbatim; 'iife' would wrap it in a Proxy shim.
// - target es2015 lowers `?.`, `**`, logical assignment, object spread and class fields.
// - `supported: false` turns what esbuild cannot lower into build errors instead of broken output.
// - Espruino's built-in modules are external: they exist on the device, not in node_modules.
// This file must import nothing but types: esbuild.config.mjs loads it through a plain transform.

import type { BuildOptions } from 'esbuild';

export const espruinoBuiltins = ['Storage', 'Wifi', 'net', 'tls', 'crypto', 'http', 'ESP8266', 'TelnetServer'];

/** The most the bundle may weigh: code runs from flash, but uploads and Storage space are finite. */
export const firmwareBudgetBytes = 20 * 1024;

export const firmwareBuildOptions = {
  entryPoints: ['firmware/main.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2015',
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  write: false,
  outfile: 'dist/firmware.js',
  external: espruinoBuiltins,
  tsconfig: 'firmware/tsconfig.json',
  supported: {
    destructuring: false,
    'default-argument': false,
    'rest-argument': false,
    'array-spread': false,
    generator: false,
    'async-await': false,
    'async-generator': false,
    'for-await': false,
    'template-literal': true,
    'regexp-lookbehind-assertions': false,
    'regexp-named-capture-groups': false,
    'regexp-sticky-and-unicode-flags': false,
  },
} satisfies BuildOptions;
