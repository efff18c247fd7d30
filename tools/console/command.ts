// `console` options and --help: argv to ConsoleOptions. The behaviour is run.ts, loaded only when
// the command runs.
import { Command } from 'commander';
import { createLogger } from '../shared/log';

export function define(program: Command): void {
  program
    .command('console')
    .description("Show the board's console live (health lines, errors, presses), with secrets masked; type to the REPL; Ctrl-] quits.")
    .option('--port <port>', 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)')
    .option('--no-read-config', "do not read config.json first (then only private keys are masked)")
    .option('--verbose', 'also show the lines exchanged while reading config.json', false)
    .addHelpText(
      'after',
      `
What the board prints goes to stdout; the tool's own lines start with "--" and go to stderr.
Before showing anything it reads config.json (masked on the wire, as provision does) so that
the Wi-Fi password and the device secret are masked wherever the board prints them. It stays
through the board's resets; when the port goes away (unplugged, or a telnet console dropped)
it waits and reattaches. Keystrokes go to the board's REPL (Ctrl-C interrupts the program
there). Ctrl-] quits and closes the port, so npm run flash can open it right after; close any
other serial monitor first, since a port has one user at a time.

Examples:
  npm run console
  npm run console -- --port /dev/ttyUSB0
  npm run console -- --port tcp://192.168.1.50:23`,
    )
    .action(async (o: { port?: string; readConfig: boolean; verbose: boolean }) => {
      const { runConsole } = await import('./run');
      await runConsole({ port: o.port, readSecrets: o.readConfig }, { log: createLogger({ verbose: o.verbose }) });
    });
}
