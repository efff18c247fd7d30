// `flash` options and --help: argv to FlashOptions. The behaviour is run.ts, loaded only when the
// command runs, so other commands do not load esbuild or the serial port library.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { createLogger } from '../shared/log';
import { projectDir } from '../shared/project-dir';

export function define(program: Command): void {
  program
    .command('flash')
    .description('Build the firmware and save it to the board (slot fw.a, the update receiver, and the A/B loader as .bootcde), then restart the board and verify what it stored.')
    .option('--port <port>', 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)')
    .option('--bundle <file>', 'flash this bundle instead of building dist/firmware.js')
    .option('--verbose', 'show everything the board and the Espruino CLI say', false)
    .addHelpText(
      'after',
      `
Works offline: the CLI gets config/boards/<BOARD>.json instead of downloading a board description,
and no modules are downloaded. The running program is stopped; the bundle goes into slot fw.a,
the update receiver into ota.js and a fresh boot log into .otalog (each verified by CRC as it is
written; the other slot and any half-received update are erased); then the Espruino CLI writes
the A/B loader to .bootcde and load()s it, and the lengths and CRC-32s of .bootcde and fw.a are
read back (the CLI's own exit code says nothing about success). config.json and the certificates
stay as they are: change those with npm run provision. Updates over the air: docs/ota.md.

Examples:
  npm run flash
  npm run flash -- --port /dev/ttyUSB0
  npm run flash -- --port tcp://192.168.1.50:23 --verbose`,
    )
    .action(async (o: { port?: string; bundle?: string; verbose: boolean }) => {
      const [{ run }, { terminalProgress }] = await Promise.all([import('./run'), import('../device/progress')]);
      // The firmware and the board files are the project's, wherever the command is run from (npm
      // run starts it in the project anyway); a --bundle path is the user's, from where they are.
      await run({ cwd: projectDir, port: o.port, bundle: o.bundle && resolve(o.bundle) }, { log: createLogger({ verbose: o.verbose }), progress: terminalProgress() });
    });
}
