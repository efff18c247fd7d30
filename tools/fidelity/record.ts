// `fidelity --record`: runs every probe on a real Espruino console (serial or tcp://) and writes the
// exact bytes it printed to a transcript. It changes nothing on the board but files named fp.*,
// and refuses a board with saved code (reset() and load() probes would run it) unless told to erase it.
import { UserError } from '../shared/errors';
import { openTransport as defaultOpenTransport } from '../device/transport';
import { CONSOLE_BAUD, type OpenTransport } from '../device/link';
import { allProbes, type Probe } from './probes';
import { createStreamConsole, recover, runProbe, ProbeTimeout } from './probe-runner';
import { readTranscript, writeTranscript, type Transcript } from './transcript';
import { existsSync } from 'node:fs';

export interface RecordOptions {
  port: string;
  out: string;
  /** Erase the board's saved code (.bootcde, .boot0-3, .bootrst, .varimg) first. */
  eraseSavedCode: boolean;
  /** Only probes whose id contains this text: they replace their old recordings, the others stay. */
  only?: string;
  timeoutMs?: number;
}

export interface RecordDeps {
  openTransport?: OpenTransport;
  progress?: (done: number, total: number, id: string) => void;
  log?: (line: string) => void;
  now?: () => Date;
}

const SAVED = ['.bootcde', '.bootrst', '.boot0', '.boot1', '.boot2', '.boot3', '.varimg', '.bootPowerOn'];

export async function record(o: RecordOptions, deps: RecordDeps = {}): Promise<Transcript> {
  const transport = await (deps.openTransport ?? defaultOpenTransport)(o.port, { baud: CONSOLE_BAUD });
  const con = createStreamConsole((b) => transport.write(b));
  let closed: string | undefined;
  transport.onData((d) => con.feed(d.toString('latin1')));
  transport.onClose((why) => {
    closed = why;
  });
  const timeoutMs = o.timeoutMs ?? 3000;
  try {
    await recover(con);
    const info = await ask(con, `[process.env.BOARD,process.env.VERSION,require("Storage").list().filter(function(n){return ${JSON.stringify(SAVED)}.indexOf(n)>=0})]`, o.port, timeoutMs);
    const [board, version, saved] = info as [string, string, string[]];
    if (saved.length && !o.eraseSavedCode) {
      throw new UserError(
        `The board at ${o.port} holds saved code (${saved.join(', ')}), which the reset() and load() probes would run: record from a board without it, or pass --erase-saved-code to erase those files first.`,
        'fidelity-saved-code',
      );
    }
    for (const f of saved) await ask(con, `require("Storage").erase(${JSON.stringify(f)})`, o.port, timeoutMs);
    // a release board's banner starts with ESC [?7l (no line wrap); Espruino's Linux build leaves it out
    const banner = await one(con, { id: 'banner', group: 'repl', steps: ['reset()\n', { wait: 300 }, '\n'] }, 0, timeoutMs, () => closed);
    const probes = allProbes().filter((p) => !o.only || p.id.includes(o.only));
    const out: Transcript = {
      board,
      version,
      linuxBuild: !banner.includes('\x1b[?7l'),
      copyrightYear: Number(/\(c\) (\d{4}) G\.Williams/.exec(banner)?.[1] ?? 2025),
      recordedAt: (deps.now ?? (() => new Date()))().toISOString(),
      source: `Espruino ${version} on ${board} at ${o.port}, recorded by npm run fidelity -- --record`,
      probes: [],
    };
    for (const [i, p] of probes.entries()) {
      deps.progress?.(i, probes.length, p.id);
      out.probes.push({ id: p.id, steps: p.steps, output: await one(con, p, i + 1, timeoutMs, () => closed, true) });
    }
    deps.progress?.(probes.length, probes.length, '');
    await runProbe(con, { id: 'cleanup', steps: ['\x10require("Storage").list(/^fp\\./).forEach(function(n){require("Storage").erase(n)})\n'] }, probes.length + 1, timeoutMs);
    writeTranscript(o.out, o.only ? mergeInto(o.out, out) : out);
    return out;
  } finally {
    await transport.close();
  }
}

async function one(con: ReturnType<typeof createStreamConsole>, p: Probe, n: number, timeoutMs: number, closed: () => string | undefined, resetSent = false): Promise<string> {
  try {
    return await runProbe(con, p, n, timeoutMs, resetSent);
  } catch (e) {
    if (closed() !== undefined) throw new UserError(`Lost the console during probe "${p.id}" (${closed()}): check the cable and power, then record again.`, 'device-disconnected');
    if (e instanceof ProbeTimeout) {
      await recover(con);
      throw new UserError(`${e.message}: the console stopped answering; check that it runs Espruino at 115200 baud, then record again.`, 'device-no-answer');
    }
    throw e;
  }
}

async function ask(con: ReturnType<typeof createStreamConsole>, expr: string, port: string, timeoutMs: number): Promise<unknown> {
  con.clear();
  con.write(`\x10print("\\x02A"+JSON.stringify(${expr})+"\\x03")\n`);
  let text: string;
  try {
    text = await con.waitFor('\x03', timeoutMs);
  } catch {
    throw new UserError(`The console at ${port} does not answer: check it is powered and runs Espruino at 115200 baud, then try again.`, 'device-no-answer');
  }
  const m = /\x02A([^\x03]*)\x03/.exec(text);
  if (!m) throw new UserError(`Something answers at ${port}, but not as an Espruino console would: check the board runs Espruino.`, 'device-not-espruino');
  return JSON.parse(m[1]);
}

/**
 * A partial recording (--only) replaces those probes in the transcript already there and keeps the
 * rest, in the probe list's order; it refuses to mix boards or versions, whose answers differ.
 */
function mergeInto(file: string, part: Transcript): Transcript {
  if (!existsSync(file)) return part;
  const old = readTranscript(file);
  if (old.board !== part.board || old.version !== part.version || old.linuxBuild !== part.linuxBuild) {
    throw new UserError(
      `${file} was recorded on Espruino ${old.version} on ${old.board}, this board is ${part.version} on ${part.board}: record every probe (without --only), or pass --transcript with a new file.`,
      'fidelity-mixed-boards',
    );
  }
  const byId = new Map(old.probes.map((p) => [p.id, p]));
  for (const p of part.probes) byId.set(p.id, p);
  const order = allProbes().map((p) => p.id);
  const probes = [...byId.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return { ...old, recordedAt: part.recordedAt, probes };
}
