// Probes made of the exact lines the host tools send a board (console client framing, provision's
// reset poll, the Storage writer and reader, doctor's file sizes), built from the tools' own
// code: when a tool changes what it sends, the transcript no longer matches until it is recorded
// again on a real board. Expressions whose answers differ between boards (memory, Storage sizes,
// Wi-Fi) are left out.
import { STORAGE_CLEANUP, session, type Probe } from './probe-shape';
import { WRITE_HELPER, crcExpression, maskedSliceExpression, writeCall } from '../device/storage-writer';
import { evaluateCode } from '../device/console-client';
import { DOCTOR_PROBE } from '../doctor/gather';
import { PROGRAM_STOPPED, STOP_PROGRAM } from '../provision/device-update';

/** The console client's evaluate line for `expr` as it sends it (quiet), with a fixed request id. */
const evaluateLine = (expr: string) => `\x10${evaluateCode('7', expr)}\n`;
const quiet = (code: string) => `\x10${code}\n`;

const tools = (id: string, steps: Probe['steps'], storage = false): Probe =>
  session('tools', id, storage ? [STORAGE_CLEANUP, ...steps, STORAGE_CLEANUP] : steps);

export function toolProbes(): Probe[] {
  const hello = Buffer.from('hello, flash');
  const pad = Buffer.from([0x5a, 0xa5, 0x00, 0xff, 0x10]);
  return [
    tools('evaluate of undefined, a function, a string', [evaluateLine('undefined'), evaluateLine('function(){}'), evaluateLine('"a\\u00ff"')]),
    tools('provision waits for reset() with a boolean', ['\x10global.__pv=1\n', evaluateLine(PROGRAM_STOPPED), quiet(STOP_PROGRAM), { wait: 300 }, evaluateLine(PROGRAM_STOPPED)]),
    tools('storage writer: W writes, reads back and prints its CRC', [quiet(WRITE_HELPER), quiet(writeCall('fp.w', hello, 0, 12)), evaluateLine('require("Storage").read("fp.w")')], true),
    tools('storage writer: two chunks into a pre-sized file', [quiet(WRITE_HELPER), quiet(writeCall('fp.x', hello, 0, 24)), quiet(writeCall('fp.x', hello, 12))], true),
    tools('storage reader: length and CRC of a file, and of a missing one', [
      '\x10require("Storage").write("fp.c","\\xff\\x00abc")\n',
      evaluateLine(crcExpression('fp.c')),
      evaluateLine(crcExpression('fp.none')),
    ], true),
    tools('storage reader: a slice masked by a pad', [
      '\x10require("Storage").write("fp.k","\\x01\\x02\\x03\\xfe\\xff")\n',
      evaluateLine(maskedSliceExpression('fp.k', 0, pad)),
    ], true),
    tools('doctor: sizes of the files it judges', [evaluateLine(`(function(S){return ${DOCTOR_PROBE[1]}})(require("Storage"))`)]),
  ];
}
