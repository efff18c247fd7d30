// `npm run console` against the virtual NodeMCU's TCP console (the real Espruino interpreter over a
// PTY was checked by hand, see the branch report): the firmware's lines live, secrets masked,
// through a reset and a dropped link, Ctrl-] quits and the port is free for the next command.
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware } from '../../tools/build/build-firmware';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { runConsole, QUIT_KEY, type ConsoleInput } from '../../tools/console/run';
import { clean, createLinePrinter } from '../../tools/console/line-printer';
import { serialOpenError } from '../../tools/device/serial-transport';
import { openDevice } from '../../tools/device/open-device';
import { createMemoryLogger } from '../../tools/shared/log';
import { isUserError } from '../../tools/shared/errors';

const WIFI_PASSWORD = 'console-pass-31';
const SECRET = 'ef'.repeat(32);
let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-'));
  const bundle = readFileSync((await buildFirmware({ cwd: process.cwd(), outFile: join(dir, 'firmware.js'), budgetBytes: 64 * 1024, log: () => {} })).outFile, 'latin1');
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266', bundle });
  sim.device.storage.write('config.json', JSON.stringify({ thing: 'console-1', wifi: { ssid: 'sim-ap', password: WIFI_PASSWORD }, mqtt: { host: '127.0.0.1', port: 1, transport: 'tcp' }, gateway: { secret: SECRET }, healthS: 5 }));
  sim.device.reboot();
}, 60000);

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Keystrokes as a test types them. */
function keyboard(): ConsoleInput & { type(s: string | Buffer): void } {
  let fn: (d: Buffer) => void = () => {};
  return { onData: (f) => (fn = f), close: () => {}, type: (s) => fn(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1')) };
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 50) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

test('the printer: whole lines at once, a prompt after a pause, escape codes and reset noise removed, secrets masked', async () => {
  const out: string[] = [];
  const p = createLinePrinter({ write: (t) => out.push(t), redact: (t) => t.split('hunter22').join('[redacted]'), idleMs: 20 });
  p.push(Buffer.from('health up=5s\r'));
  p.push(Buffer.from('\npass hun'));
  p.push(Buffer.from('ter22 ok\r\n>\x1b[J'));
  expect(out).toEqual(['health up=5s\n', 'pass [redacted] ok\n']);
  await new Promise((r) => setTimeout(r, 60));
  expect(out[2]).toBe('>');
  p.dispose();
  expect(clean('\x00\xff\x1b[2Jboot\x07\r\n')).toBe('\xffboot\n');
});

test('live lines with secrets masked, keystrokes to the REPL, a reset survived, Ctrl-] quits and frees the port', async () => {
  const log = createMemoryLogger();
  const text: string[] = [];
  const keys = keyboard();
  const port = `tcp://127.0.0.1:${sim.port}`;
  const running = runConsole({ port }, { log, input: keys, write: (t) => text.push(t), findPort: async (p) => p! });
  const all = () => text.join('');
  await until('a health line', () => /health up=\d+s/.test(all()));

  keys.type('print(require("Storage").read("config.json"))\r');
  await until('config.json printed', () => all().includes('"ssid":"sim-ap"'));
  expect(all()).not.toContain(WIFI_PASSWORD);
  expect(all()).not.toContain(SECRET);
  expect(all()).toContain('"password":"[redacted]"');

  // A reset (power cycle): the console stays, shows the boot and the lines after it.
  const before = all().length;
  sim.device.reboot();
  await until('the boot banner after the reset', () => all().slice(before).includes('thing console-1'));
  await until('a health line after the reset', () => /health up=\d+s/.test(all().slice(before)));

  keys.type(Buffer.from([QUIT_KEY]));
  const r = await running;
  expect(r.reconnects).toBe(0);
  expect(log.lines.join('\n')).toMatch(/-- console on .*Ctrl-\] quits[\s\S]*-- closed/);
  // The port is free at once: the next command opens it and gets answers.
  const dev = await openDevice({ port, log: createMemoryLogger() }, { findPort: async (p) => p! });
  expect(dev.info.board).toMatch(/ESP8266/);
  await dev.close();
}, 60000);

test('a link that goes away (unplugged, telnet dropped) is reopened by itself and the lines go on', async () => {
  // A cable the test can pull: a TCP hop in front of the simulator's console.
  const sockets = new Set<net.Socket>();
  const makeHop = () =>
    net.createServer((a) => {
      const b = net.connect(sim.port, '127.0.0.1');
      for (const s of [a, b]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      a.pipe(b).pipe(a);
    });
  let hop = makeHop();
  await new Promise<void>((r) => hop.listen(0, '127.0.0.1', r));
  const hopPort = (hop.address() as net.AddressInfo).port;
  const log = createMemoryLogger();
  const text: string[] = [];
  let stop: () => void = () => {};
  const stopped = new Promise<void>((r) => (stop = r));
  const running = runConsole({ port: `tcp://127.0.0.1:${hopPort}`, retryMs: 100 }, { log, input: null, stop: stopped, write: (t) => text.push(t), findPort: async (p) => p! });
  try {
    await until('a health line', () => /health up=\d+s/.test(text.join('')));
    // Pull it: the server stops and every connection is cut; plug it back a second later.
    await new Promise<void>((r) => {
      hop.close(() => r());
      for (const s of sockets) s.destroy();
    });
    await until('the console notices', () => log.lines.some((l) => l.includes('went away')));
    await new Promise((r) => setTimeout(r, 1000));
    hop = makeHop();
    await new Promise<void>((r) => hop.listen(hopPort, '127.0.0.1', r));
    await until('the console is back', () => log.lines.some((l) => l.includes('is back')));
    const after = text.join('').length;
    await until('lines after the reconnect', () => /health up=\d+s/.test(text.join('').slice(after)));
  } finally {
    stop();
    const r = await running;
    expect(r.reconnects).toBe(1);
    await new Promise<void>((res) => hop.close(() => res()));
    for (const s of sockets) s.destroy();
  }
}, 60000);

test('a busy serial port is one sentence and nothing is opened', async () => {
  let err: unknown;
  try {
    await runConsole({ port: '/dev/ttyUSB9' }, {
      log: createMemoryLogger(),
      input: null,
      findPort: async (p) => p!,
      openTransport: async (p) => {
        throw serialOpenError(p, 'Error: Resource temporarily unavailable Cannot lock port');
      },
    });
  } catch (e) {
    err = e;
  }
  expect(isUserError(err) && err.anchor).toBe('port-busy');
  expect((err as Error).message).toMatch(/\/dev\/ttyUSB9 is busy: another program has it open.*close it and try again\.$/);
});

test('a board that does not answer the config read is shown anyway, with a warning that only private keys are masked', async () => {
  // A console that prints but never runs what it is sent (a board stuck in a busy loop).
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    const t = setInterval(() => s.write('still busy\r\n'), 100);
    s.on('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const log = createMemoryLogger();
  const text: string[] = [];
  let stop: () => void = () => {};
  const running = runConsole({ port: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}` }, { log, input: null, stop: new Promise<void>((r) => (stop = r)), write: (t) => text.push(t), findPort: async (p) => p! });
  try {
    await until('the warning', () => log.lines.some((l) => /did not answer.*only private keys are masked/.test(l)), 40000);
    await until('its lines', () => text.join('').includes('still busy'));
  } finally {
    stop();
    await running;
    await new Promise<void>((r) => server.close(() => r()));
  }
}, 60000);
