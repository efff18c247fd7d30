// An exception that reached the console, as Espruino 2v29 reports it: V8's messages for the common
// engine errors turned into Espruino's wording, and for errors raised by a console line's own code
// (not inside a function) the "    at REPL (:L:C)" trace with the line and a caret. Espruino's column
// is where its lexer stood (the token before the current one), worked out here from V8's position.
import * as acorn from 'acorn';

interface Token {
  start: number;
  end: number;
  text: string;
}

/** Espruino's wording for V8's engine errors; `kind` becomes Error where Espruino throws a plain one. */
export function espruinoMessage(kind: string, message: string): { kind: string; message: string } | undefined {
  let m = /^(\S+) is not defined$/.exec(message);
  if (kind === 'ReferenceError' && m) return { kind, message: `"${m[1]}" is not defined` };
  m = /^Cannot read properties of (undefined|null) \(reading '(.*)'\)$/.exec(message);
  if (kind === 'TypeError' && m) return { kind: 'Error', message: `Can't read property '${m[2]}' of ${m[1]}` };
  m = /^.*\.([\w$]+) is not a function$/.exec(message);
  if (kind === 'TypeError' && m) return { kind: 'Error', message: `Function "${m[1]}" not found!` };
  if (kind === 'TypeError' && /^[\w$]+ is not a function$/.test(message)) return { kind: 'Error', message: 'Function not found!' };
  return undefined;
}

/** Rewrites an engine error in place (message, and TypeError -> Error), so handlers see Espruino's. */
export function translateError(e: unknown, errorProto: (kind: string) => object | undefined): string | undefined {
  if (typeof e !== 'object' || e === null || typeof (e as Error).message !== 'string') return undefined;
  const kind = Object.prototype.toString.call(e) === '[object Error]' ? String((e as { constructor?: { name?: string } }).constructor?.name ?? '') : '';
  const t = espruinoMessage(kind, (e as Error).message);
  if (!t) return undefined;
  Object.defineProperty(e, 'message', { value: t.message, writable: true, configurable: true, enumerable: false });
  const proto = errorProto(t.kind);
  if (t.kind !== kind && proto) Object.setPrototypeOf(e, proto);
  return t.message;
}

function tokens(code: string): Token[] {
  const out: Token[] = [];
  try {
    for (const t of acorn.tokenizer(code, { ecmaVersion: 'latest', allowReturnOutsideFunction: true })) out.push({ start: t.start, end: t.end, text: code.slice(t.start, t.end) });
  } catch {
    // a line that does not tokenize gets no trace
  }
  return out;
}

function enclosingThrow(code: string, offset: number): acorn.Node | undefined {
  let found: acorn.Node | undefined;
  try {
    const ast = acorn.parse(code, { ecmaVersion: 'latest', allowReturnOutsideFunction: true }) as unknown as { body: acorn.Node[] };
    // top-level statements only: errors inside functions get no trace here
    for (const s of ast.body) if (s.type === 'ThrowStatement' && s.start <= offset && offset < s.end) found = s;
  } catch {
    // unparseable: no trace
  }
  return found;
}

const binary = new Set(['+', '-', '*', '/', '%', '==', '===', '!=', '!==', '<', '>', '<=', '>=', '&&', '||', '&', '|', '^', '<<', '>>', '>>>', '??', '.', '[']);

/** The offset Espruino's caret points at, from V8's offset of the error and the error's text. */
function espruinoOffset(code: string, offset: number, engineMessage: string | undefined): number | undefined {
  const toks = tokens(code);
  const i = toks.findIndex((t) => t.start <= offset && offset < t.end);
  if (i < 0) return undefined;
  if (engineMessage === undefined) {
    const thrown = enclosingThrow(code, offset);
    const arg = (thrown as unknown as { argument?: acorn.Node } | undefined)?.argument;
    const last = arg ? toks.filter((t) => t.end <= arg.end).pop() : undefined;
    return last?.start;
  }
  if (/ is not defined$/.test(engineMessage)) return toks[i + 1] && binary.has(toks[i + 1].text) ? toks[i + 1].start : toks[i].start;
  if (/^Can't read property/.test(engineMessage)) return i > 0 ? toks[i - 1].start : toks[i].start;
  return toks[i].start;
}

/** The offset where 1-based line `lineNo` starts in `code`. */
export function lineStart(code: string, lineNo: number): number {
  return code.split('\n').slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0);
}

/**
 * The text after "Uncaught " for an error raised while `code` (a console line) ran, trace included
 * when V8's stack shows the error came from the line's own top level. `text` is describeError(e).
 */
export function uncaughtText(
  e: unknown,
  text: string,
  code: string | undefined,
  engineMessage: string | undefined,
  /** V8's 1-based line and column (in the code as it ran) to an offset in `code`. */
  position: (line: number, col: number) => number = (line, col) => lineStart(code ?? '', line) + col - 1,
): string {
  const stack = typeof e === 'object' && e !== null ? (e as { stack?: unknown }).stack : undefined;
  if (code === undefined || typeof stack !== 'string') return text + '\n';
  // the first frame must be the line's own top level ("at REPL:1:5", not "at g (REPL:1:5)")
  const frame = /^\n\s+at REPL:(\d+):(\d+)\n/.exec(stack.replace(/^[^]*?\n(\s+at )/, '\n$1') + '\n');
  if (!frame) return text + '\n';
  const lines = code.split('\n');
  const offset = position(Number(frame[1]), Number(frame[2]));
  const at = espruinoOffset(code, offset, engineMessage);
  if (at === undefined) return text + '\n';
  const before = code.slice(0, at);
  const line = before.split('\n').length;
  const col = at - (before.lastIndexOf('\n') + 1);
  return `${text}\n    at REPL (:${line}:${col + 1})\n${lines[line - 1]}\n${' '.repeat(col)}^\n`;
}
