// `flash` options and --help: argv to FlashOptions. The behaviour is run.ts, loaded only when the
// command runs, so other commands do not load esbuild or the serial port library.
import { Command } from 'commander';
import { createLogger } from '../shared/log';

export function define(program: Command): void {
  program
    .command('flash')
    .description('Build the firmware and save it to the board (Storage .bootcde) with the Espruino CLI, then restart the board and verify what it stored.')
    .option('--port <port>', 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)')
    .option('--bundle <file>', 'flash this bundle instead of building dist/firmware.js')
    .option('--verbose', 'show everything the board and the Espruino CLI say', false)
    .addHelpText(
      'after',
      `
Works offline: the CLI gets config/boards/<BOARD>.json instead of downloading a board description,
and no modules are downloaded. The CLI resets the board (stopping the running program), writes
.bootcde, and load()s it; then the length and CRC-32 of .bootcde are read back and compared with
the bundle (the CLI's own exit code says nothing about success). config.json and the certificates
stay as they are: change those with npm run provision.

Examples:
  npm run flash
  npm run flash -- --port /dev/ttyUSB0
  npm run flash -- --port tcp://192.168.1.50:23 --verbose`,
    )
    .action(async (o: { port?: string; bundle?: string; verbose: boolean }) => {
      const [{ run }, { terminalProgress }] = await Promise.all([import('./run'), import('../device/progress')]);
      await run({ cwd: process.cwd(), port: o.port, bundle: o.bundle }, { log: createLogger({ verbose: o.verbose }), progress: terminalProgress() });
    });
}
