// `start` options: argv to StartOptions; the behaviour is run.ts.
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { projectDir } from '../shared/project-dir';
import type { Gesture } from './demo';
import { parsePort } from '../shared/cli-arguments';

function parseGestures(v: string): Gesture[] {
  const list = v.split(',').map((s) => s.trim().toLowerCase());
  for (const g of list) if (g !== 'single' && g !== 'double' && g !== 'long') throw new InvalidArgumentError(`"${g}" is not a gesture: use single, double or long, comma-separated.`);
  return list as Gesture[];
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a timeout is a number of seconds above 0.');
  return n;
}

export function define(program: Command): void {
  program
    .command('start')
    .description('The no-hardware demo: a virtual NodeMCU running the real bundle, an AWS-like broker, and the cloud-side view.')
    .addOption(new Option('--profile <board>', 'virtual board: esp8266 (stock NodeMCU, no TLS: through the LAN gateway) or esp32 (direct TLS)').choices(['esp8266', 'esp32']).default('esp8266'))
    .option('--press <gestures>', 'press these gestures (single,double,long) and print each cloud message as a JSON line', parseGestures)
    .option('--exit', 'exit once every pressed gesture reached the cloud side (non-zero after --timeout)', false)
    .option('--timeout <s>', 'seconds to wait for the messages with --exit', parseSeconds, 30)
    .option('--broker-port <n>', 'port of the local AWS-like broker (0 = any free port)', parsePort, 8883)
    .option('--thing <name>', 'thing name of the virtual device', 'sim-button')
    .option('--flash <file>', 'keep the virtual device flash in this file across runs')
    .option('--verbose', 'also print the device console and broker log (to stderr in --exit mode)', false)
    .option('--update', 'roll the next patch version out to the device through the local AWS IoT Jobs, print its outcome as a JSON line and exit (the u key, scripted)', false)
    // Loaded on use: the demo pulls in the simulator, broker and AWS SDK.
    // The project's folder, wherever this runs from; a --flash path is the user's, so from here.
    .action(async ({ timeout, flash, ...o }) =>
      (await import('./run')).runStart({ cwd: projectDir, timeoutS: timeout, flash: flash === undefined ? undefined : path.resolve(flash), ...o }));
}
