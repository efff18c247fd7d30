// `config` options and --help: `get [KEY]` and `set KEY=VALUE...` to getConfig/setConfig. The
// behaviour is run.ts, loaded only when the command runs.
import { Command } from 'commander';
import { createLogger } from '../shared/log';

interface Flags {
  port?: string;
  verbose: boolean;
}

const portHelp = 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)';

export function define(program: Command): void {
  const config = program
    .command('config')
    .description("Read or change fields of the board's config.json (Wi-Fi, pins, timings) without provisioning again.")
    .addHelpText(
      'after',
      `
Keys are the fields of config.json, dotted: wifi.ssid, button.debounceMs, pins.led, healthS ...
(get lists them all). set checks the new values with the device's own rules before anything is
written, writes config.bak and then config.json, and restarts the program into them; a bad value
changes nothing. The identity (thing, certificates, gateway secret) is provision's to change.
Secrets are never printed: get shows only whether wifi.password is set, and set asks for it
without echo when given as a bare key.

Examples:
  npm run config -- get
  npm run config -- get button.debounceMs
  npm run config -- set button.debounceMs=80 healthS=60
  npm run config -- set wifi.ssid=HomeNet wifi.password
  npm run config -- set pins.led=D4 --port tcp://192.168.1.50:23`,
    );
  config
    .command('get')
    .description('Print config.json as the device uses it (defaults marked, secrets masked), or one KEY\'s value.')
    .argument('[key]', 'one key, e.g. button.debounceMs')
    .option('--port <port>', portHelp)
    .option('--verbose', 'show everything the board says (secrets are masked)', false)
    .action(async (key: string | undefined, f: Flags) => {
      const { getConfig } = await import('./run');
      await getConfig({ port: f.port, key }, { log: createLogger({ verbose: f.verbose }) });
    });
  config
    .command('set')
    .description('Change KEY=VALUE fields, validated, backup first, and restart the device with them.')
    .argument('<pairs...>', 'KEY=VALUE, e.g. button.debounceMs=80; a bare secret key (wifi.password) is asked for')
    .option('--port <port>', portHelp)
    .option('--verbose', 'show everything the board says (secrets are masked)', false)
    .action(async (pairs: string[], f: Flags) => {
      const [{ setConfig }, { terminalProgress }, { askSecretOnTerminal }] = await Promise.all([import('./run'), import('../device/progress'), import('../provision/ask-secret')]);
      await setConfig(
        { port: f.port, pairs },
        { log: createLogger({ verbose: f.verbose }), progress: terminalProgress(), askSecret: process.stdin.isTTY ? askSecretOnTerminal : undefined },
      );
    });
}
