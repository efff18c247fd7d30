// esbuild options for the firmware bundle. `npm run build` (tools/build) uses them, then runs
// the Espruino gate over the output. Run directly (`node esbuild.config.mjs`) it only prints them.
//
// Why these settings (ESPRUINO.md):
// - format 'cjs' keeps `require("Wifi")` verbatim; 'iife' would wrap it in a Proxy shim.
//   tools/build wraps the bundle in a function itself.
// - target es2015 lowers `?.`, `**`, logical assignment, object spread and class fields.
// - `supported: false` turns what esbuild cannot lower into build errors instead of broken output.
// - Espruino's built-in modules are external: they exist on the device, not in node_modules.

export const espruinoBuiltins = ['Storage', 'Wifi', 'net', 'tls', 'crypto', 'http', 'ESP8266'];

/** @type {import('esbuild').BuildOptions} */
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
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(firmwareBuildOptions, null, 2));
  console.log('\nBuild with `npm run build`.');
}
