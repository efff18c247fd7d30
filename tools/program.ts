// Every command of the one command line, registered on a commander program. cli.ts runs it and
// exits; tests parse argv with it in-process (where AWS's control plane is mocked).
import { Command } from 'commander';
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
import { define as defineUpdate } from './update/command';
import { projectDir } from './shared/project-dir';

export function createProgram(): Command {
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
  defineUpdate(program);
  return program;
}
