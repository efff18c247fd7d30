// Errors in Espruino's words (recorded on 2v29): caught engine errors carry Espruino's message and
// kind, and an uncaught one from a console line gets the "at REPL (:L:C)" trace, its caret counted in
// the line as typed even after a catch block the simulator instrumented.
import { deviceForEachTest } from './helpers';

const t = deviceForEachTest({ syntaxCheck: false });
const typed = (line: string): string => {
  let out = '';
  const off = t.device.onTerminal((s) => (out += s));
  t.device.consoleInput(line + '\n');
  off();
  return out;
};

test('a caught engine error has Espruino\'s message, and property reads on null are plain Errors', () => {
  expect(t.device.evaluate('(function(){ try { return nope } catch (e) { return e.message } })()')).toBe('"nope" is not defined');
  expect(t.device.evaluate('(function(){ try { null.x } catch (e) { return [e instanceof TypeError, String(e)] } })()')).toEqual([false, "Error: Can't read property 'x' of null"]);
  expect(t.device.evaluate('(function(){ try { ({}).go() } catch (e) { return e.message } })()')).toBe('Function "go" not found!');
});

test('an uncaught error after a catch block on the same line points at the line as typed', () => {
  expect(typed('try { q } catch (e) { } zz.y')).toContain('Uncaught ReferenceError: "zz" is not defined\r\n    at REPL (:1:27)\r\ntry { q } catch (e) { } zz.y\r\n                          ^\r\n');
});

test('an error thrown inside a function is reported without a trace', () => {
  typed('function boom() { throw new Error("deep") }');
  expect(typed('boom()')).toContain('Uncaught Error: deep\r\n>');
});
