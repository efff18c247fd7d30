#!/usr/bin/env node
// The one command line: argv to options, then each command's run(). The only place that exits
// the process: an expected failure (UserError) is one sentence and exit 1; anything else is a bug.
import { Command } from 'commander';
import { formatError, isUserError } from './shared/errors';
import { buildFirmware } from './build/build-firmware';
import { buildOtaFiles } from './build/build-ota-files';
import { define as defineStart } from './start/command';
import { define as defineMonitor } from './monitor/command';
import { define as defineAwsSetup } from './aws-setup/command';
import { define as defineGateway } from './gateway/command';
import { define as defineFlash } from './flash/command';
import { define as defineProvision } from './provision/command';
import { define as defineDoctor } from './doctor/command';
import { define as defineSimulator } from './simulator/command';
import { define as defineRealBoard } from './real-board/command';
import { define as defineFidelity } from './fidelity/command';
import { define as defineConfig } from './config/command';
import { define as defineConsole } from './console/command';
import { projectDir } from './shared/project-dir';

const program = new Command();
program
  .name('espruino-aws-button')
  .description('Build, simulate, flash, provision and watch an Espruino NodeMCU button that publishes to AWS IoT.')
  .showHelpAfterError('(add --help for usage)');

program
  .command('build')
  .description('Bundle firmware/ into dist/firmware.js (and the update receiver dist/ota.js, the boot loader dist/loader.js) and reject anything Espruino 2v29 cannot run.')
  // A rejected build is a UserError; its problems are already printed, one per line with its source position.
  .action(async () => {
    await buildFirmware({ cwd: projectDir, log: (l) => console.log(l) });
    await buildOtaFiles({ cwd: projectDir, log: (l) => console.log(l) });
  });

defineStart(program);
defineMonitor(program);
defineAwsSetup(program);
defineGateway(program);
defineFlash(program);
defineProvision(program);
defineDoctor(program);
defineSimulator(program);
defineRealBoard(program);
defineFidelity(program);
defineConfig(program);
defineConsole(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    console.error(formatError(err));
    process.exit(isUserError(err) ? 1 : 2);
  }
  // Explicit: the AWS SDK's native client keeps Node alive for seconds after close (docs/espruino.md).
  process.exit(0);
}

void main();
