// `fidelity` options and --help: replay the recorded transcript through the simulator (default), or
// --record it again from a real Espruino console. The behaviour is record.ts and replay.ts.
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { UserError } from '../shared/errors';
import { DEFAULT_TRANSCRIPT, EXCEPTIONS_FILE, readExceptions, readTranscript } from './transcript';

interface Options {
  record: boolean;
  port?: string;
  transcript: string;
  eraseSavedCode: boolean;
  only?: string;
  verbose: boolean;
}

export function define(program: Command): void {
  program
    .command('fidelity')
    .description('Check that the simulator answers as Espruino 2v29 does: replay the recorded probe transcript through it, or --record the transcript again from a real board.')
    .option('--record', 'run every probe on the console at --port and write what it printed to the transcript', false)
    .option('--port <port>', 'with --record: serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT')
    .option('--transcript <file>', 'the transcript to replay or write', DEFAULT_TRANSCRIPT)
    .option('--erase-saved-code', 'with --record: erase the board\'s saved code (.bootcde, .boot0-3, .varimg) first', false)
    .option('--only <text>', 'only the probes whose id contains this text (recording replaces just those in the transcript)')
    .option('--verbose', 'show every mismatch in full, excused ones too', false)
    .addHelpText(
      'after',
      `
Recording resets the board once per probe and writes only Storage files named fp.* (removed again);
all probes take about 70 s on Espruino's Linux build (it idles 50 ms between inputs), less on a
board. A board with saved code is refused unless --erase-saved-code.
Replaying needs no board: it prints the probes whose output differs from the recording, and fails
when one is not listed, with its reason, in ${EXCEPTIONS_FILE}.

Examples:
  npm run fidelity
  npm run fidelity -- --record --port /dev/ttyUSB0
  npm run fidelity -- --record --port tcp://192.168.1.50:23 --only json`,
    )
    .action(async (o: Options) => (o.record ? recordCommand(o) : replayCommand(o)));
}

async function recordCommand(o: Options): Promise<void> {
  if (!o.port) throw new UserError('--record needs --port: the serial device of the board (/dev/ttyUSB0, COM3) or tcp://HOST:PORT.', 'fidelity-transcript');
  const { record } = await import('./record');
  const bar = new SingleBar({ format: 'recording {bar} {value}/{total} probes {id}', stream: process.stderr, clearOnComplete: true }, undefined);
  let started = false;
  const t = await record(
    { port: o.port, out: o.transcript, eraseSavedCode: o.eraseSavedCode, only: o.only },
    {
      progress: (done, total, id) => {
        if (!started) bar.start(total, 0, { id });
        started = true;
        bar.update(done, { id: id.slice(0, 40) });
      },
    },
  );
  bar.stop();
  console.log(`recorded ${t.probes.length} probes from Espruino ${t.version} on ${t.board}${t.linuxBuild ? ' (Linux build)' : ''} into ${o.transcript}`);
}

async function replayCommand(o: Options): Promise<void> {
  const { replay, describeMismatch } = await import('./replay');
  const t = readTranscript(o.transcript);
  if (o.only) t.probes = t.probes.filter((p) => p.id.includes(o.only!));
  const r = await replay(t, readExceptions(EXCEPTIONS_FILE));
  for (const m of o.verbose ? r.mismatches : r.unexplained) console.log(describeMismatch(m) + '\n');
  for (const id of r.staleExceptions) console.log(`matches now, remove it from ${EXCEPTIONS_FILE}: ${id}`);
  console.log(`${r.probes} probes from Espruino ${t.version} on ${t.board} (${t.recordedAt.slice(0, 10)}): ${r.mismatches.length} differ, ${r.mismatches.length - r.unexplained.length} of them listed exceptions`);
  if (r.unexplained.length) throw new UserError(`${r.unexplained.length} probes answer differently in the simulator: fix the simulator, or list each in ${EXCEPTIONS_FILE} with its reason.`, 'fidelity-mismatch');
}
