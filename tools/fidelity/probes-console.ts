// Probes of the console's framing, which the host tools and the Espruino CLI drive: the prompt,
// echo on/off, quiet (\x10) lines, continuation lines, Ctrl-C, backspace, reset(), load(), the banner.
import { session, type Probe } from './probe-shape';

// reset() and load() happen after the line's event: a pause lets them finish before the next line
const RESET_WAIT = { wait: 300 };

const repl = (id: string, steps: Probe['steps']): Probe => session('repl', id, steps);

export function consoleProbes(): Probe[] {
  return [
    repl('empty line', ['\n']),
    repl('only spaces', ['   \n']),
    repl('semicolon', [';\n']),
    repl('quiet line prints nothing', ['\x101+1\n']),
    repl('quiet line with print', ['\x10print("q")\n']),
    repl('quiet line with an error', ['\x10undefinedThing\n']),
    repl('DLE in the middle of a line is ignored', ['1;\x10 2\n']),
    repl('echo(0) then a line', ['echo(0)\n', '2+2\n', 'print("p")\n', 'echo(1)\n']),
    repl('echo(0) survives until reset', ['echo(0)\n', 'reset()\n', RESET_WAIT, '3\n']),
    repl('continuation with an open brace', ['function f() {\n', 'return 1 }\n', 'f()\n']),
    repl('continuation with an open bracket', ['[1,\n', '2]\n']),
    repl('continuation with an open paren', ['(1 +\n', '2)\n']),
    repl('string with a brace does not continue', ['"{"\n']),
    repl('comment with a brace does not continue', ['1 // {\n']),
    repl('Ctrl-C clears a half-typed line', ['abc', { wait: 50 }, '\x03', { wait: 50 }, '1\n']),
    repl('Ctrl-C clears an open block', ['function g() {\n', { wait: 50 }, '\x03', { wait: 50 }, '2\n']),
    repl('backspace', ['12\x08\x083\n']),
    repl('delete key', ['45\x7f6\n']),
    repl('tab', ['1 +\t1\n']),
    repl('CR LF', ['5\r\n']),
    repl('CR alone', ['6\r']),
    repl('ESC LF continues without running', ['var e1 = 1\x1b\n', 'e1 + 1\n']),
    repl('ESC [ n d is swallowed', ['\x1b[1d7\n']),
    repl('two lines in one write', ['1\n2\n']),
    repl('reset() prints the banner', ['reset()\n', RESET_WAIT, '\n']),
    repl('quiet reset()', ['\x10reset()\n', RESET_WAIT, '\n']),
    repl('reset() forgets variables', ['var kept = 1\n', 'reset()\n', RESET_WAIT, 'typeof kept\n']),
    repl('load() with nothing saved', ['load()\n', RESET_WAIT, '\n']),
    repl('print then prompt', ['print("x"); 5\n']),
    repl('result of a statement', ['if (true) { 1 }\n']),
    repl('a var statement', ['var v1 = 2\n']),
    repl('function value', ['(function(){ return 1 })\n']),
    repl('quiet line then normal line', ['\x10var q1 = 4\n', 'q1\n']),
    repl('print with CRLF inside', ['print("a\\r\\nb")\n']),
  ];
}
