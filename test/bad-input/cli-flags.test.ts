// Bad command lines, run as a user runs them (tools/cli.ts in a child process): each is refused
// with one sentence on stderr saying what to do and exit code 1; never a stack trace, never
// "bug", never a hang. Flags with tests of their own elsewhere: test/gateway/command.test.ts,
// test/e2e/npm-start.test.ts, test/fuzz/fuzz-cli.test.ts, test/tools/*.
import { runTool } from '../support/run-tool';

const cli = (args: string[], timeoutMs = 60000) => runTool('tools/cli.ts', args, timeoutMs);

const CASES: [string, string[], RegExp][] = [
  ['an unknown command', ['nosuch'], /unknown command 'nosuch'/],
  ['an unknown option', ['start', '--bogus'], /unknown option '--bogus'/],
  ['start: a broker port out of range', ['start', '--broker-port', '70000'], /a port is an integer 0\.\.65535/],
  ['monitor: port 0', ['monitor', '--port', '0'], /a port is an integer 1\.\.65535/],
  ['monitor: a negative count', ['monitor', '--count', '-1'], /a count is a whole number, 1 or more/],
  ['monitor: a remote endpoint without an identity', ['monitor', '--endpoint', 'example.com'], /Give all three of --cert, --key and --ca for example\.com/],
  ['gateway: a CA file that does not exist', ['gateway', '--port', '0', '--endpoint', '127.0.0.1', '--ca', '/nonexistent/AmazonRootCA1.pem', '--store', '/tmp/no-such-gateway-store'], /The CA certificate \/nonexistent\/AmazonRootCA1\.pem does not exist/],
  ['provision: no --thing', ['provision', '--port', 'tcp://127.0.0.1:1'], /required option '--thing <name>' not specified/],
  ['provision: a thing name with a space', ['provision', '--thing', 'bad name', '--port', 'tcp://127.0.0.1:1'], /"bad name" is not a valid thing name/],
  ['provision: an unknown mode', ['provision', '--thing', 'x', '--port', 'tcp://127.0.0.1:1', '--mode', 'nonsense'], /Allowed choices are direct, gateway/],
  ['provision: a fractional debounce', ['provision', '--thing', 'x', '--port', 'tcp://127.0.0.1:1', '--debounce-ms', '1.5'], /a whole number is needed/],
  ['doctor: a console port nobody listens on (a locked board)', ['doctor', '--port', 'tcp://127.0.0.1:1'], /tcp:\/\/127\.0\.0\.1:1 refused the connection: the board's LAN console is closed unless it is in maintenance mode/],
  ['flash: a locked board over the LAN', ['flash', '--port', 'tcp://127.0.0.1:1'], /hold its FLASH button for 10 s/],
  ['flash: a bundle that does not exist', ['flash', '--port', 'tcp://127.0.0.1:1', '--bundle', '/nonexistent/firmware.js'], /Cannot read the bundle \/nonexistent\/firmware\.js/],
  ['aws-setup: a thing name with a slash', ['aws-setup', '--thing', 'a/b'], /"a\/b" cannot be a thing name here/],
  ['update: nothing named to update', ['update'], /Name what to update with exactly one of --thing NAME, --things a,b,c or --all/],
  ['update: a timeout of 0', ['update', '--thing', 'x', '--timeout', '0'], /a timeout is a number of minutes above 0/],
  ['update: --all with no gateway store here', ['update', '--all', '--store', '/tmp/no-such-gateway-store'], /there is no gateway store at \/tmp\/no-such-gateway-store\/devices\.json/],
];

describe('each bad command line is one sentence and exit 1', () => {
  test.concurrent.each(CASES)('%s', async (_name, args, message) => {
    const r = await cli(args);
    expect({ code: r.code, message: message.test(r.stderr) }).toEqual({ code: 1, message: true });
    expect(r.stderr).not.toMatch(/^\s+at |bug:|Error:/m);
    expect(r.stdout).toBe('');
  }, 60000);
});

// package.json has "simulator": "tsx tools/cli.ts simulator", and the README and issue 3 promise `npm run simulator -- --console-port PORT`.
test('npm run simulator -- --help describes --console-port', async () => {
  const r = await cli(['simulator', '--help']);
  expect(r.stdout).toMatch(/--console-port/);
});

// `start --timeout` refuses text and negative numbers with a sentence, as the other commands do.
test('npm start -- --timeout abc is refused', async () => {
  const r = await cli(['start', '--press', 'single', '--exit', '--broker-port', '0', '--timeout', 'abc'], 90000);
  expect(r.code).toBe(1);
}, 100000);
