// `simulator` options: a headless virtual NodeMCU serving its console on 127.0.0.1:PORT, as
// Espruino serves its REPL over telnet, until stopped. The behaviour is run.ts.
import { Command, Option } from 'commander';
import { parsePort } from '../shared/cli-arguments';

export function define(program: Command): void {
  program
    .command('simulator')
    .description('Run a headless virtual NodeMCU (the bundle in its flash) with its console on 127.0.0.1:PORT for the Espruino CLI and our tools, until Ctrl-C.')
    .option('--console-port <n>', 'TCP port of the device console (0 = any free port)', parsePort, 2323)
    .addOption(new Option('--profile <board>', 'esp8266 (stock NodeMCU, no tls) or esp32 (with tls)').choices(['esp8266', 'esp32']).default('esp8266'))
    .option('--flash <file>', 'keep the flash image in this file across runs (created 0600: it holds secrets)')
    .option('--bundle <file>', 'store this bundle as .bootcde before booting')
    .option('--telnet-port <n>', "serve the board's own telnet console (port 23 on a board) on this port while it is on (0 = any free port)", parsePort)
    .option('--fota-port <n>', "serve a stand-in for the board's port-88 update server on this port (0 = any free port)", parsePort)
    .action(async (o: { consolePort: number; profile: 'esp8266' | 'esp32'; flash?: string; bundle?: string; telnetPort?: number; fotaPort?: number }) => {
      const { runSimulator } = await import('./run');
      const lan = o.telnetPort !== undefined || o.fotaPort !== undefined ? { telnet: o.telnetPort, fota: o.fotaPort } : undefined;
      const sim = await runSimulator({ consolePort: o.consolePort, profile: o.profile, flashFile: o.flash, bundle: o.bundle, lan, log: (l) => console.log(l) });
      console.error(`virtual NodeMCU (${o.profile}) console on tcp://127.0.0.1:${sim.port}; Ctrl-C stops it`);
      if (sim.lan.telnet !== undefined) console.error(`its telnet console (when on) at tcp://127.0.0.1:${sim.lan.telnet}`);
      if (sim.lan.fota !== undefined) console.error(`its port-88 update server stand-in at http://127.0.0.1:${sim.lan.fota}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.close();
    });
}
