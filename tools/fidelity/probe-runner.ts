// Runs one fidelity probe on any Espruino console (a real board, or the simulator) with the same
// framing both ways: reset() and a start marker, the probe's input, then an end marker. The bytes
// between the markers are the probe's answer. It does not judge answers: replay.ts compares them.
import type { ProbeStep } from './probe-shape';

/** A console as the runner needs it: bytes in, and a wait for text to appear in what came out. */
export interface ProbeConsole {
  write(bytes: string): void;
  /** Resolves with everything received so far once it contains `text`; rejects after timeoutMs. */
  waitFor(text: string, timeoutMs: number): Promise<string>;
  /** The same for any test of what was received. */
  waitUntil(test: (received: string) => boolean, timeoutMs: number): Promise<string>;
  /** Forgets what was received so far. */
  clear(): void;
  /** What was received since the last clear(). */
  received(): string;
  sleep(ms: number): Promise<void>;
}

export interface ProbeSpec {
  id: string;
  steps: ProbeStep[];
}

const START = (tag: string): string => `\x02S${tag}\x03`;
// long enough for a busy machine; only lines that bring back no prompt (echo off, half a line) wait it out
const STEP_WAIT_MS = 500;
const RESET = '\x10reset()\n';
const END = (n: number): string => `\x02E${n}\x03`;
// print() with the control characters written as JS escapes, so the console line itself holds none
const markerLine = (kind: string, tag: string | number): string => `\x10print("\\x02${kind}${tag}\\x03")\n`;

export class ProbeTimeout extends Error {}

/** After a probe failed half-way: Ctrl-C clears a half-typed line once the device's loop sees it. */
export async function recover(con: ProbeConsole): Promise<void> {
  con.write('\x03');
  await con.sleep(200);
}

/**
 * Puts the console in a known state (reset(), echo on, a fresh prompt), then runs the probe.
 * `n` numbers markers so a late answer from the previous probe can never be taken for this one's.
 * With `resetSent`, the previous probe's end already sent the reset (one round trip less).
 * `stepWaitMs`: how long a typed line may take to bring its prompt back (0 for the simulator,
 * which answers before consoleInput returns).
 */
export async function runProbe(con: ProbeConsole, probe: ProbeSpec, n: number, timeoutMs = 3000, resetSent = false, stepWaitMs = STEP_WAIT_MS): Promise<string> {
  if (!resetSent) {
    con.clear();
    con.write(RESET);
  }
  const from = await started(con, n, timeoutMs, probe.id);
  for (const step of probe.steps) {
    if (typeof step !== 'string') {
      await con.sleep(step.wait);
      continue;
    }
    const before = con.received().length;
    con.write(step);
    // Lines typed while the console is busy are not echoed until its prompt returns, so each line
    // waits for the prompt (or a continuation colon) the last one brought back; echo off shows none.
    await con.waitUntil((r) => r.length > before && /[>:]$/.test(r), stepWaitMs).catch(() => undefined);
  }
  // the next probe's reset goes with this end marker; it runs after the marker's line
  con.write(markerLine('E', n) + RESET);
  const all = await wait(con, END(n), timeoutMs, probe.id, 'end');
  const out = all.slice(from, all.indexOf(END(n)));
  con.clear();
  return out;
}

/**
 * Waits until the console is fresh after the reset and idle: a marker followed at once by the
 * prompt. A marker that arrived in the same turn of the device's loop as the reset() ran before
 * the reset and is followed by the banner instead; then another marker is sent. Returns the
 * offset in the received text where the probe's own output starts.
 */
async function started(con: ProbeConsole, n: number, timeoutMs: number, id: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let k = 0; Date.now() < deadline; k++) {
    const tag = `${n}.${k}`;
    con.write(markerLine('S', tag));
    const mark = START(tag) + '\r\n';
    let text: string;
    try {
      // the marker's line end and the character after it: the prompt, or the banner's first one
      text = await con.waitUntil((r) => r.includes(mark) && r.length > r.indexOf(mark) + mark.length, Math.max(1, deadline - Date.now()));
    } catch {
      break;
    }
    const at = text.indexOf(mark) + mark.length;
    if (text[at] === '>') return at + 1;
  }
  throw new ProbeTimeout(`probe ${id}: the console never came back to an idle prompt after reset() within ${timeoutMs} ms`);
}

async function wait(con: ProbeConsole, text: string, timeoutMs: number, id: string, which: string): Promise<string> {
  try {
    return await con.waitFor(text, timeoutMs);
  } catch {
    throw new ProbeTimeout(`probe ${id}: the console never printed its ${which} marker within ${timeoutMs} ms`);
  }
}

/** A ProbeConsole over any byte stream: `feed` is called with every chunk the device sends. */
export function createStreamConsole(write: (bytes: string) => void): ProbeConsole & { feed(chunk: string): void } {
  let buf = '';
  let waiter: { test(r: string): boolean; resolve(s: string): void } | undefined;
  const check = (): void => {
    if (waiter && waiter.test(buf)) {
      const w = waiter;
      waiter = undefined;
      w.resolve(buf);
    }
  };
  return {
    write,
    feed(chunk) {
      buf += chunk;
      check();
    },
    clear() {
      buf = '';
    },
    received: () => buf,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    waitFor(text, timeoutMs) {
      return this.waitUntil((r) => r.includes(text), timeoutMs);
    },
    waitUntil(test, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new ProbeTimeout('timeout'));
        }, timeoutMs);
        waiter = {
          test,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        };
        check();
      });
    },
  };
}
