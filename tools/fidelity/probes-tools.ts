// Probes made of the exact lines the host tools send a board (console client framing, provision's
// reset poll, the Storage writer and reader, doctor's file sizes), built from the tools' own
// code: when a tool changes what it sends, the transcript no longer matches until it is recorded
// again on a real board. Expressions whose answers differ between boards (memory, Storage sizes,
// Wi-Fi) are left out.
import { STORAGE_CLEANUP, session, type Probe } from './probe-shape';
import { WRITE_HELPER } from '../device/storage-writer';
import { DOCTOR_PROBE } from '../doctor/gather';

/** The console client's evaluate line for `expr`, with a fixed request id. */
function evaluateLine(expr: string): string {
  return `\x10print("\\x02" + "7:" + JSON.stringify(${expr}) + "\\x03")\n`;
}

const tools = (id: string, steps: Probe['steps'], storage = false): Probe =>
  session('tools', id, storage ? [STORAGE_CLEANUP, ...steps, STORAGE_CLEANUP] : steps);

export function toolProbes(): Probe[] {
  const hello = Buffer.from('hello, flash').toString('base64');
  const pad = Buffer.from([0x5a, 0xa5, 0x00, 0xff, 0x10]).toString('base64');
  return [
    tools('evaluate of undefined, a function, a string', [evaluateLine('undefined'), evaluateLine('function(){}'), evaluateLine('"a\\u00ff"')]),
    tools('provision waits for reset() with a boolean', ['\x10global.__pv=1\n', evaluateLine('"__pv" in global'), '\x10reset()\n', { wait: 300 }, evaluateLine('"__pv" in global')]),
    tools('storage writer: W writes, reads back and prints its CRC', ['\x10' + WRITE_HELPER + '\n', `\x10W("fp.w",atob("${hello}"),0,12)\n`, evaluateLine('require("Storage").read("fp.w")')], true),
    tools('storage writer: two chunks into a pre-sized file', ['\x10' + WRITE_HELPER + '\n', `\x10W("fp.x",atob("${hello}"),0,24)\n`, `\x10W("fp.x",atob("${hello}"),12)\n`], true),
    tools('storage reader: length and CRC of a file, and of a missing one', [
      '\x10require("Storage").write("fp.c","\\xff\\x00abc")\n',
      evaluateLine('(function(s){return s===undefined?null:[s.length,E.CRC32(s)]})(require("Storage").read("fp.c"))'),
      evaluateLine('(function(s){return s===undefined?null:[s.length,E.CRC32(s)]})(require("Storage").read("fp.none"))'),
    ], true),
    tools('storage reader: a slice masked by a pad', [
      '\x10require("Storage").write("fp.k","\\x01\\x02\\x03\\xfe\\xff")\n',
      evaluateLine(`(function(s,p){for(var o="",i=0;i<p.length;i++)o+=String.fromCharCode(s.charCodeAt(i)^p.charCodeAt(i));return btoa(o)})(require("Storage").read("fp.k",0,5),atob("${pad}"))`),
    ], true),
    tools('doctor: sizes of the files it judges', [evaluateLine(`(function(S){return ${DOCTOR_PROBE[1]}})(require("Storage"))`)]),
  ];
}
