// Espruino's console line discipline (src/jsinteractive.c jsiHandleConsoleChar/jsiHandleNewLine, 2v29).
// No cursor editing, history, tab completion or DLE-SOH packet transfers.
import { countBrackets } from './line-brackets';

/*
 * What it does: echo, `>` prompt, `:` continuation, DLE (\x10) = no echo and no `=result` for one
 * line, ESC+LF = newline without running, ESC [ n d swallowed, Ctrl-C clears the line, brackets
 * decide when a line runs, and `\r\n` counts as two newlines (as the 2v29 source does).
 */
export interface ReplDeps {
  /** Raw bytes to the terminal (already with \r\n). */
  term(text: string): void;
  /** Run one complete line in the device. */
  execute(line: string, onValue: (value: unknown) => void): { ok: boolean; value?: unknown };
  /** `=result` formatting. */
  format(value: unknown): string;
  /** One turn of the idle loop after input was handled (deferred reset/load, then the prompt). */
  idle(): void;
  /** Ctrl-E answer, e.g. "Espruino 2v29 ESP8266_4MB". */
  identity: string;
}

export interface Repl {
  input(data: string): void;
  /** Program output: takes the input line off the screen first (jsiConsoleRemoveInputLine). */
  print(text: string): void;
  /** Puts the prompt and input line back if they were removed (jsiConsoleReturnInputLine). */
  returnInputLine(): void;
  setEcho(on: boolean): void;
  /** False after echo(0), until the next reset/boot turns it back on (jsiEcho). */
  readonly echoOn: boolean;
  /** After a reset or boot: the console starts a fresh line (jsiSoftInit/jsiSemiInit). */
  fresh(): void;
  readonly busy: boolean;
}

type State = 'none' | 'dle' | 'esc' | 'esc79' | 'esc91' | 'esc91n';

export function createRepl(d: ReplDeps): Repl {
  let line = '';
  let state: State = 'none';
  let echoOff = false;
  let echoOffForLine = false;
  let removed = true;
  let busy = false;
  let escNumber = 0;

  const echo = (): boolean => !echoOff && !echoOffForLine;
  const shown = (): boolean => echo() && !removed;
  const crlf = (t: string): string => t.replace(/\n/g, '\r\n');

  function removeInputLine(): void {
    if (removed) return;
    removed = true;
    // cursor back over the current line's characters, up over its earlier lines, then clear
    if (echo()) d.term('\x1b[D'.repeat(line.length - line.lastIndexOf('\n') - 1) + '\x1b[A'.repeat((line.match(/\n/g) ?? []).length) + '\r\x1b[J');
  }
  function returnInputLine(): void {
    if (!removed) return;
    removed = false;
    if (echo()) d.term('>' + line.replace(/\n/g, '\r\n:'));
  }
  function print(text: string): void {
    removeInputLine();
    d.term(crlf(text));
  }

  function newLine(execute: boolean): void {
    if (execute && countBrackets(line) <= 0) {
      if (shown()) d.term('\r\n');
      if (!echoOffForLine) removed = true;
      const code = line.replace(/\s+$/, '');
      line = '';
      d.execute(code, (value) => {
        if (echo() && code !== '') print('=' + d.format(value) + '\n');
      });
      echoOffForLine = false;
    } else {
      if (shown()) d.term('\r\n:');
      line += '\n';
    }
  }

  function handle(ch: string): void {
    const c = ch.charCodeAt(0);
    if (c === 0) {
      state = 'none';
    } else if (c === 1) {
      state = 'none'; // DLE SOH packet transfers are not supported
    } else if (c === 3) {
      if (line !== '') {
        removeInputLine();
        line = '';
      }
    } else if (c === 5) {
      if (line === '') print(`${d.identity}\n`);
    } else if (c === 16) {
      if (line === '') echoOffForLine = true;
      state = 'dle';
    } else if (c === 27) {
      state = 'esc';
    } else if (state === 'esc') {
      state = c === 79 ? 'esc79' : c === 91 ? 'esc91' : 'none';
      if (c === 10) newLine(false);
    } else if (state === 'esc79') {
      state = 'none';
      if (c === 77) handle('\r');
    } else if (state === 'esc91') {
      state = 'none';
      if (c >= 48 && c <= 57) {
        escNumber = c - 48;
        state = 'esc91n';
      }
    } else if (state === 'esc91n') {
      if (c >= 48 && c <= 57) escNumber = escNumber * 10 + c - 48;
      else {
        if (ch === 'H' && escNumber === 2) {
          removeInputLine();
          line = '';
        }
        state = 'none'; // ESC [ n d (line number) and the rest are swallowed
      }
    } else {
      state = 'none';
      if (c === 8 || c === 127) {
        if (line.length) {
          line = line.slice(0, -1);
          if (shown()) d.term('\b \b');
        }
      } else if (ch === '\r' || ch === '\n') {
        newLine(true);
      } else if (c >= 32) {
        // a tab (completion on a board with it) adds nothing on 2v29's console
        line += ch;
        if (shown()) d.term(ch);
      }
    }
  }

  return {
    input(data) {
      busy = true;
      try {
        for (const ch of data) handle(ch);
      } finally {
        busy = false;
      }
      d.idle();
    },
    print,
    returnInputLine,
    setEcho(on) {
      echoOff = !on;
    },
    get echoOn() {
      return !echoOff;
    },
    fresh() {
      line = '';
      state = 'none';
      removed = true;
    },
    get busy() {
      return busy;
    },
  };
}
