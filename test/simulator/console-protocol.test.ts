// The console line discipline over a real TCP connection: what Espruino's REPL sends back for echo,
// `=result`, DLE lines, continuation lines, ESC sequences and Ctrl-C (src/jsinteractive.c).
import net from 'node:net';
import { makeDevice, waitFor, type TestDevice } from './helpers';

let t: TestDevice;
let client: net.Socket;
let received = '';

beforeEach(async () => {
  t = makeDevice();
  const port = await t.device.serveConsole(0);
  t.device.boot();
  client = net.createConnection({ host: '127.0.0.1', port });
  client.on('data', (d) => (received += d.toString('latin1')));
  await new Promise<void>((r) => client.once('connect', () => r()));
  received = '';
});
afterEach(async () => {
  client.destroy();
  await t.device.close();
});

async function send(text: string, until: (r: string) => boolean): Promise<string> {
  received = '';
  client.write(Buffer.from(text, 'latin1'));
  await waitFor(() => until(received), `reply to ${JSON.stringify(text)}`);
  return received;
}

test('an empty line answers with a fresh prompt, as the CLI expects', async () => {
  expect(await send('\n', (r) => r.endsWith('>'))).toBe('\r\n>');
});

test('a typed line is echoed and its result printed as =value', async () => {
  expect(await send('1+2\n', (r) => r.endsWith('>'))).toBe('1+2\r\n=3\r\n>');
  // Espruino breaks the line before a member that is not a number, null or undefined (recorded on 2v29)
  expect(await send('({a:1,b:[1,"x"]})\n', (r) => r.endsWith('>'))).toContain('={ a: 1, \r\n  b: [ 1, \r\n    "x"\r\n   ]\r\n }');
  expect(await send('undefined\n', (r) => r.endsWith('>'))).toContain('=undefined');
});

test('a DLE line runs without echo and without =result', async () => {
  expect(await send('\x10var q = 5\n', () => true)).toBe('');
  expect(await send('\x10print("q=" + q)\n', (r) => r.endsWith('>'))).toBe('q=5\r\n>');
});

test('open brackets continue the line with a ":" prompt until they balance', async () => {
  expect(await send('function f() {\n', (r) => r.endsWith(':'))).toBe('function f() {\r\n:');
  // a function declaration's REPL value is the function (recorded on 2v29)
  expect(await send('return 7 }\n', (r) => r.endsWith('>'))).toContain('=function () { ... }');
  expect(await send('f()\n', (r) => r.endsWith('>'))).toContain('=7');
});

test('ESC+LF adds a newline without running; ESC [ n d line numbers are swallowed', async () => {
  await send('\x10var z = 1 +\x1b\n\x1b[12d 2\n', () => true);
  expect(await send('\x10print(z)\n', (r) => r.endsWith('>'))).toBe('3\r\n>');
});

test('Ctrl-C clears a half-typed line', async () => {
  await send('var never = ', (r) => r.includes('never'));
  await send('\x03', (r) => r.endsWith('>'));
  expect(await send('typeof never\n', (r) => r.endsWith('>'))).toContain('="undefined"');
});

test('errors are printed as Uncaught and the console carries on', async () => {
  const r = await send('nosuchfn()\n', (x) => x.endsWith('>'));
  // Espruino's wording and trace (recorded on 2v29): the line, and a caret under where it stopped
  expect(r).toMatch(/Uncaught ReferenceError: "nosuchfn" is not defined\r\n {4}at REPL \(:1:1\)\r\nnosuchfn\(\)\r\n\^\r\n>$/);
});

test('reset() prints the banner after the line and forgets variables', async () => {
  await send('\x10var keep = 1\n', () => true);
  const r = await send('\x10reset();\n', (x) => x.includes('espruino.com') && x.endsWith('>'));
  expect(r).toContain('2v29 (c) 2025 G.Williams');
  expect(await send('typeof keep\n', (x) => x.endsWith('>'))).toContain('="undefined"');
});

test('Ctrl-E on an empty line identifies the board', async () => {
  expect(await send('\x05', (r) => r.includes('\n'))).toContain('Espruino 2v29 ESP8266_4MB');
});

test('program output takes the input line off the screen and puts the prompt back', async () => {
  await send('\x10setTimeout(function () { print("tick"); }, 20)\n', () => true);
  const r = await send('', (x) => x.includes('tick') && x.endsWith('>'));
  expect(r).toBe('\r\x1b[Jtick\r\n>');
});
