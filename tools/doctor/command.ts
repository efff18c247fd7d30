// `doctor` options and --help: argv to DoctorOptions. The behaviour is run.ts, loaded only when the
// command runs.
import { Command } from 'commander';
import { createLogger } from '../shared/log';

export function define(program: Command): void {
  program
    .command('doctor')
    .description('Check a board without changing it: Espruino version, board, tls, free memory and Storage, our files, config.json, certificate and key, Wi-Fi; with a fix for each problem.')
    .option('--port <port>', 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)')
    .option('--verbose', 'show everything the board says (secrets are masked)', false)
    .addHelpText(
      'after',
      `
The checklist goes to stdout; the exit code is non-zero when any check fails (warnings pass).
Nothing on the board changes: no reset, no writes. The private key is read back only to check
that it matches the certificate; it is never printed, nor is the Wi-Fi password.

Examples:
  npm run doctor
  npm run doctor -- --port tcp://192.168.1.50:23`,
    )
    .action(async (o: { port?: string; verbose: boolean }) => {
      const { run } = await import('./run');
      await run({ cwd: process.cwd(), port: o.port }, { log: createLogger({ verbose: o.verbose }) });
    });
}
