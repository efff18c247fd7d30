// `real-board` options and --help: argv to RealBoardOptions. The behaviour is run.ts.
import { Command } from 'commander';
import { createLogger } from '../shared/log';
import { projectDir } from '../shared/project-dir';

export function define(program: Command): void {
  program
    .command('real-board')
    .description('The end-to-end check on a real Espruino (a NodeMCU, or the Linux build on a PTY): flash, provision, doctor, presses into a local AWS-like cloud.')
    .requiredOption('--port <port>', 'the board: a serial device (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT')
    .option('--thing <name>', 'thing name for the check (a development certificate is made for it)', 'real-board-check')
    .option('--host <addr>', "this machine's address as the board sees it (a NodeMCU on Wi-Fi: your LAN address)", '127.0.0.1')
    .option('--wifi-ssid <ssid>', 'the Wi-Fi network a NodeMCU joins (password from WIFI_PASSWORD); the Linux build accepts any', 'check-ap')
    .option('--gateway-only', 'skip direct TLS even when the board has tls', false)
    .option('--timeout <s>', 'seconds to wait for each press to arrive', (v) => Number(v), 30)
    .option('--update', 'then roll the next patch version out as an AWS IoT job through the gateway, and check a press comes from it', false)
    .addHelpText(
      'after',
      `
The board's Storage is rewritten (bundle, config.json, identity): use a board you can re-provision.
On the Linux build (no Wifi module) the check installs a Wifi stand-in and a button hook first,
and presses the button itself; on a NodeMCU it asks you to press the FLASH button. The cloud is
local: the AWS-like broker with certs/dev. Steps and what each must print: docs/real-board.md.

Examples:
  npm run real-board -- --port /tmp/ttyESP
  WIFI_PASSWORD=... npm run real-board -- --port /dev/ttyUSB0 --host 192.168.1.10 --wifi-ssid HomeNet`,
    )
    .action(async (o: { port: string; thing: string; host: string; wifiSsid: string; gatewayOnly: boolean; timeout: number; update: boolean }) => {
      const { runRealBoardCheck, summarize } = await import('./run');
      const log = createLogger({ verbose: false });
      summarize(await runRealBoardCheck({ cwd: projectDir, port: o.port, thing: o.thing, host: o.host, gatewayOnly: o.gatewayOnly, timeoutS: o.timeout, update: o.update, wifi: { ssid: o.wifiSsid, password: process.env.WIFI_PASSWORD ?? 'check-ap-password' } }, log));
    });
}
