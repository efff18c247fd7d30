// The `gateway` command: argv to options, the trust model in --help, a missing endpoint as a
// UserError, and a clean close when the stop signal comes.
import { Command } from 'commander';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { define, runGatewayCommand, toGatewayOptions } from '../../tools/gateway/command';
import type { GatewayOptions } from '../../tools/gateway/run';
import { isUserError } from '../../tools/shared/errors';

function program(deps: Parameters<typeof define>[1]) {
  const p = new Command().exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  define(p, deps);
  return p;
}

test("defaults: all interfaces, port 1883, .gateway store, AWS port 8883, Node's Amazon Root CA 1, advertised on the LAN", async () => {
  let got: GatewayOptions | undefined;
  let closed = false;
  const p = program({
    start: async (o) => ((got = o), { port: 1883, close: async () => void (closed = true) }),
    untilStopped: async () => 'SIGINT',
    log: () => {},
  });
  await p.parseAsync(['node', 'cli', 'gateway', '--endpoint', 'abc-ats.iot.eu-west-1.amazonaws.com']);
  expect(got).toMatchObject({ bind: '0.0.0.0', port: 1883, store: '.gateway', upstream: { endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 8883 } });
  expect(got!.upstream.caPath).toBeUndefined();
  expect(got!.advertise).toBeDefined();
  expect(closed).toBe(true);
});

test('every flag reaches the options', async () => {
  let got: GatewayOptions | undefined;
  const p = program({ start: async (o) => ((got = o), { port: 0, close: async () => {} }), untilStopped: async () => 'SIGTERM', log: () => {} });
  await p.parseAsync(['node', 'cli', 'gateway', '--bind', '192.168.1.10', '--port', '0', '--store', 's', '--endpoint', 'h', '--aws-port', '443', '--ca', 'ca.pem', '--no-advertise']);
  expect(got).toMatchObject({ bind: '192.168.1.10', port: 0, store: 's', upstream: { endpoint: 'h', port: 443, caPath: 'ca.pem' } });
  expect(got!.advertise).toBeUndefined();
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
  for (const flag of ['--bind', '--port', '--store', '--endpoint', '--aws-port', '--ca', '--no-advertise']) expect(help).toContain(flag);
  expect(help).toMatch(/plain TCP/);
  expect(help).toMatch(/replayed/);
  expect(help).toMatch(/network you control/);
});

describe('the endpoint', () => {
  const saved = process.env.AWS_IOT_ENDPOINT;
  let cwd: string;
  beforeEach(() => {
    delete process.env.AWS_IOT_ENDPOINT;
    cwd = mkdtempSync(join(tmpdir(), 'gw-endpoint-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_IOT_ENDPOINT;
    else process.env.AWS_IOT_ENDPOINT = saved;
    rmSync(cwd, { recursive: true, force: true });
  });
  const thingJson = (thing: string, endpoint: string, port = 8883) => {
    mkdirSync(join(cwd, 'certs', thing), { recursive: true });
    writeFileSync(join(cwd, 'certs', thing, 'thing.json'), JSON.stringify({ thing, endpoint, port }));
  };
  const refusal = (f: () => unknown): Error => {
    try {
      f();
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      return e as Error;
    }
    throw new Error('not refused');
  };

  test('without a flag, AWS_IOT_ENDPOINT or a thing.json it is a UserError saying where to find it', () => {
    const err = refusal(() => toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', cwd }));
    expect(err.message).toMatch(/run aws-setup.*describe-endpoint/);
    process.env.AWS_IOT_ENDPOINT = 'from-env';
    expect(toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', cwd }).upstream.endpoint).toBe('from-env');
  });

  test("comes from what aws-setup saved in certs/<thing>/thing.json, with its port, and says so", () => {
    thingJson('button-1', 'abc-ats.iot.eu-west-1.amazonaws.com', 443);
    thingJson('button-2', 'abc-ats.iot.eu-west-1.amazonaws.com', 443);
    const lines: string[] = [];
    const o = toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', cwd }, (l) => lines.push(l));
    expect(o.upstream).toEqual({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', port: 443, caPath: undefined });
    expect(lines.join('\n')).toMatch(/from certs\/button-1\/thing\.json, certs\/button-2\/thing\.json/);
    expect(toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', cwd, endpoint: 'flag' }).upstream).toMatchObject({ endpoint: 'flag', port: 8883 });
  });

  test('things that name different endpoints are refused with one sentence asking for --endpoint', () => {
    thingJson('button-1', 'abc-ats.iot.eu-west-1.amazonaws.com');
    thingJson('button-2', 'xyz-ats.iot.us-east-1.amazonaws.com');
    const err = refusal(() => toGatewayOptions({ bind: '0.0.0.0', port: 1883, store: '.gateway', cwd }));
    expect(err.message).toMatch(/different AWS IoT endpoints.*pass --endpoint/);
  });
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
