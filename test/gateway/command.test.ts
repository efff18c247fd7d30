// The `gateway` command: argv to options, the trust model in --help, a missing endpoint as a
// UserError, and a clean close when the stop signal comes.
import { Command } from 'commander';
import { define, runGatewayCommand, toGatewayOptions, DEFAULT_CA } from '../../tools/gateway/command';
import type { GatewayOptions } from '../../tools/gateway/run';
import { isUserError } from '../../tools/shared/errors';

function program(deps: Parameters<typeof define>[1]) {
  const p = new Command().exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  define(p, deps);
  return p;
}

test('defaults: all interfaces, port 1883, .gateway store, AWS port 8883, the Amazon root CA', async () => {
  let got: GatewayOptions | undefined;
  let closed = false;
  const p = program({
    start: async (o) => ((got = o), { port: 1883, close: async () => void (closed = true) }),
    untilStopped: async () => 'SIGINT',
    log: () => {},
  });
  await p.parseAsync(['node', 'cli', 'gateway', '--endpoint', 'abc-ats.iot.eu-west-1.amazonaws.com']);
  expect(got).toMatchObject({ bind: '0.0.0.0', port: 1883, store: '.gateway', upstream: { endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883, caPath: DEFAULT_CA } });
  expect(closed).toBe(true);
});

test('every flag reaches the options', async () => {
  let got: GatewayOptions | undefined;
  const p = program({ start: async (o) => ((got = o), { port: 0, close: async () => {} }), untilStopped: async () => 'SIGTERM', log: () => {} });
  await p.parseAsync(['node', 'cli', 'gateway', '--bind', '192.168.1.10', '--port', '0', '--store', 's', '--endpoint', 'h', '--aws-port', '443', '--ca', 'ca.pem']);
  expect(got).toMatchObject({ bind: '192.168.1.10', port: 0, store: 's', upstream: { endpoint: 'h', port: 443, caPath: 'ca.pem' } });
});

test('a bad port is refused by the parser', async () => {
  const p = program({ start: async () => ({ port: 0, close: async () => {} }), untilStopped: async () => 'SIGINT' });
  await expect(p.parseAsync(['node', 'cli', 'gateway', '--port', '70000', '--endpoint', 'h'])).rejects.toThrow(/0\.\.65535/);
});

test('--help explains the LAN trust model and lists the options', () => {
  let help = '';
  const p = program({});
  const cmd = p.commands.find((c) => c.name() === 'gateway')!;
  cmd.configureOutput({ writeOut: (s) => (help += s) });
  cmd.outputHelp();
  for (const flag of ['--bind', '--port', '--store', '--endpoint', '--aws-port', '--ca']) expect(help).toContain(flag);
  expect(help).toMatch(/plain TCP/);
  expect(help).toMatch(/replayed/);
  expect(help).toMatch(/network you control/);
});

test('without an endpoint (flag or AWS_IOT_ENDPOINT) it is a UserError saying where to find it', async () => {
  const saved = process.env.AWS_IOT_ENDPOINT;
  delete process.env.AWS_IOT_ENDPOINT;
  try {
    let err: unknown;
    try {
      toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', awsPort: 8883, ca: DEFAULT_CA });
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/describe-endpoint/);
    process.env.AWS_IOT_ENDPOINT = 'from-env';
    expect(toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', awsPort: 8883, ca: DEFAULT_CA }).upstream.endpoint).toBe('from-env');
  } finally {
    if (saved === undefined) delete process.env.AWS_IOT_ENDPOINT;
    else process.env.AWS_IOT_ENDPOINT = saved;
  }
});

test('by default it runs until SIGINT, then closes the gateway', async () => {
  let closed = false;
  const lines: string[] = [];
  const run = runGatewayCommand(
    { bind: '127.0.0.1', port: 0, store: 's', endpoint: 'h', awsPort: 8883, ca: 'c' },
    { start: async () => ({ port: 0, close: async () => void (closed = true) }), log: (l) => lines.push(l) },
  );
  await new Promise((r) => setImmediate(r));
  expect(closed).toBe(false);
  process.emit('SIGINT');
  await run;
  expect(closed).toBe(true);
  expect(lines).toContain('SIGINT: closing device and AWS connections');
  expect(process.listenerCount('SIGINT')).toBe(0);
});
