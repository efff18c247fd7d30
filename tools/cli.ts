#!/usr/bin/env node
// The one command line: argv to options, then each command's run(). The only place that exits
// the process: an expected failure (UserError) is one sentence and exit 1; anything else is a bug.
import { formatError, isUserError } from './shared/errors';
import { createProgram } from './program';

const program = createProgram();

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
