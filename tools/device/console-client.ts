// Talks to an Espruino console as a program, not a person: quiet (\x10) lines, replies framed by
// STX/ETX with a request id, prompt sync with Ctrl-C fallback, one request in flight at a time.
// It does not retry failed requests or interpret results; callers do.
import { UserError } from '../shared/errors';
import { createReplyParser } from './reply-parser';
import type { Transport } from './link';

export interface ConsoleClientOptions {
  /** Default wait for a reply. Flash writes and compaction on a real ESP8266 take seconds. */
  timeoutMs?: number;
  /** Device output outside replies (logs, prompts, errors): for --verbose. */
  onLine?: (line: string) => void;
  /** sync's first wait for an answer; each of its 5 tries waits 1.5 times longer. Default 500 ms. */
  syncWaitMs?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
}

/** The device ran our line and raised an exception; `message` is its "Uncaught ..." line. */
export class DeviceReplyError extends Error {
  readonly deviceError = true;
}

export interface ConsoleClient {
  readonly name: string;
  readonly stats: { bytesOut: number; bytesIn: number };
  /** Waits until the device runs our lines and answers; Ctrl-C clears a half-typed line first. */
  sync(): Promise<void>;
  /**
   * Evaluates one JavaScript expression (Espruino's dialect) and returns its JSON value, as Espruino's
   * JSON.stringify makes it: `undefined` comes back as null, a function as undefined. Ask for a
   * boolean or a number when absence matters.
   */
  evaluate<T = unknown>(expr: string, opts?: RequestOptions): Promise<T>;
  /** Runs a quiet line without waiting for anything. */
  send(code: string): void;
  /**
   * Runs a quiet line that prints `count` frames (bodies not starting with a digit, which are
   * evaluate's), and resolves with their bodies. An "Uncaught" line from the device rejects it.
   */
  exchange(code: string, count: number, opts?: RequestOptions & { check?: (body: string, index: number) => boolean }): Promise<string[]>;
  /** Hands the raw byte stream to someone else (the Espruino CLI) until release(). */
  raw(onData: (d: Buffer) => void): { write(d: Buffer): void; release(): void };
  close(): Promise<void>;
}

interface Waiter {
  want(body: string): boolean;
  bodies: string[];
  count: number;
  /** false: stop early, the check failed. */
  check?: (body: string, index: number) => boolean;
  resolve(bodies: string[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

class ReplyTimeout extends Error {}

/** A JavaScript string literal Espruino parses: JSON's, minus U+2028/9 which are fine there too. */
export function jsString(s: string): string {
  return JSON.stringify(s);
}

/** The quiet line's code that evaluate sends: the value framed as STX id ":" JSON ETX. */
export function evaluateCode(id: string, expr: string): string {
  return `print("\\x02${id}:"+JSON.stringify(${expr})+"\\x03")`;
}

export function createConsoleClient(transport: Transport, opts: ConsoleClientOptions = {}): ConsoleClient {
  const defaultTimeout = opts.timeoutMs ?? 10000;
  const stats = { bytesOut: 0, bytesIn: 0 };
  let waiter: Waiter | undefined;
  let closedWhy: string | undefined;
  let rawSink: ((d: Buffer) => void) | undefined;
  let nextId = 1;
  let traceLines = 0;

  const parser = createReplyParser({
    frame(body) {
      const w = waiter;
      if (!w || !w.want(body)) return;
      w.bodies.push(body);
      if (w.check && !w.check(body, w.bodies.length - 1)) return finish(w, undefined, w.bodies);
      if (w.bodies.length >= w.count) finish(w, undefined, w.bodies);
    },
    line(raw) {
      // A prompt (or continuation colon) left on the line before the device printed.
      const text = raw.replace(/^[>:]+/, '').trim();
      if (text.startsWith('Uncaught ')) {
        // Espruino follows it with " at line 1 col N", the offending line and a caret: our line,
        // which may carry a slice of a key in base64. Those are never shown, even with --verbose.
        traceLines = 3;
        if (waiter) return finish(waiter, new DeviceReplyError(text));
      } else if (traceLines > 0) {
        traceLines--;
        return;
      }
      if (text !== '') opts.onLine?.(text);
    },
  });

  transport.onData((d) => {
    stats.bytesIn += d.length;
    if (rawSink) rawSink(d);
    else parser.push(d.toString('latin1'));
  });
  transport.onClose((why) => {
    closedWhy = why;
    if (waiter) finish(waiter, disconnected());
  });

  function disconnected(): UserError {
    return new UserError(`Lost the device at ${transport.name} (${closedWhy ?? 'closed'}): check the cable and power, then run the command again; the device keeps its previous files.`, 'device-disconnected');
  }

  function finish(w: Waiter, err?: Error, bodies?: string[]): void {
    if (waiter !== w) return;
    waiter = undefined;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve(bodies ?? []);
  }

  function write(text: string): void {
    if (closedWhy !== undefined) throw disconnected();
    const b = Buffer.from(text, 'latin1');
    stats.bytesOut += b.length;
    transport.write(b);
  }

  function line(code: string): void {
    if (code.includes('\n') || code.includes('\r')) throw new Error(`bug: a console line may not contain a newline: ${code.slice(0, 60)}`);
    write('\x10' + code + '\n');
  }

  function request(code: string, want: (body: string) => boolean, count: number, timeoutMs: number, check?: Waiter['check']): Promise<string[]> {
    if (waiter) return Promise.reject(new Error('bug: a console request is already waiting for its reply'));
    if (rawSink) return Promise.reject(new Error('bug: the console is handed to another program'));
    return new Promise<string[]>((resolve, reject) => {
      const w: Waiter = {
        want,
        bodies: [],
        count,
        check,
        resolve,
        reject,
        timer: setTimeout(() => finish(w, new ReplyTimeout()), timeoutMs),
      };
      waiter = w;
      try {
        line(code);
      } catch (e) {
        finish(w, e as Error);
      }
    });
  }

  function noAnswer(seconds: number): UserError {
    return new UserError(`The device at ${transport.name} stopped answering (nothing for ${seconds} s): check the cable and power, then run the command again.`, 'device-no-answer');
  }

  async function evaluateOnce<T>(expr: string, timeoutMs: number): Promise<T> {
    const id = String(nextId++);
    const code = evaluateCode(id, expr);
    const [body] = await request(code, (b) => b.startsWith(id + ':'), 1, timeoutMs);
    const json = body.slice(id.length + 1);
    // Espruino's JSON.stringify of a function (not of undefined, which is "null").
    if (json === 'undefined') return undefined as T;
    try {
      return JSON.parse(json) as T;
    } catch {
      throw new Error(`bug: the device answered with text that is not JSON: ${json.slice(0, 80)}`);
    }
  }

  return {
    name: transport.name,
    stats,
    async sync() {
      // 0.5 s is far more than a 115200 link needs for a round trip; a busy or booting board gets longer.
      let wait = opts.syncWaitMs ?? 500;
      for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) write('\x03');
        try {
          await evaluateOnce('1', wait);
          return;
        } catch (e) {
          if (!(e instanceof ReplyTimeout || e instanceof DeviceReplyError)) throw e;
        }
        wait *= 1.5;
      }
      if (stats.bytesIn > 0) {
        throw new UserError(
          `Something answers on ${transport.name}, but not as an Espruino console would: check that the board runs Espruino (not NodeMCU Lua or AT firmware) at 115200 baud.`,
          'device-not-espruino',
        );
      }
      throw new UserError(
        `The device on ${transport.name} does not answer: check it is powered and running Espruino, press its RST button, and try again (a charge-only USB cable also looks like this).`,
        'device-no-answer',
      );
    },
    async evaluate<T>(expr: string, o: RequestOptions = {}) {
      const timeoutMs = o.timeoutMs ?? defaultTimeout;
      try {
        return await evaluateOnce<T>(expr, timeoutMs);
      } catch (e) {
        if (e instanceof ReplyTimeout) throw noAnswer(timeoutMs / 1000);
        throw e;
      }
    },
    send: line,
    async exchange(code, count, o = {}) {
      const timeoutMs = o.timeoutMs ?? defaultTimeout;
      try {
        return await request(code, (b) => !/^[0-9]/.test(b), count, timeoutMs, o.check);
      } catch (e) {
        if (e instanceof ReplyTimeout) throw noAnswer(timeoutMs / 1000);
        throw e;
      }
    },
    raw(onData) {
      if (waiter) throw new Error('bug: cannot hand over the console while a request waits');
      rawSink = onData;
      return {
        write: (d) => {
          stats.bytesOut += d.length;
          if (closedWhy === undefined) transport.write(d);
        },
        release: () => {
          rawSink = undefined;
        },
      };
    },
    async close() {
      if (waiter) finish(waiter, new Error('closed'));
      await transport.close();
    },
  };
}
