// The console client against the virtual NodeMCU's TCP console, and against things that are not
// an idle Espruino: a silent port, a chatty non-Espruino, a half-typed line, a link that drops.
import net from 'node:net';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { createConsoleClient, DeviceReplyError } from '../../tools/device/console-client';
import { openDevice } from '../../tools/device/open-device';
import { parseProbe } from '../../tools/device/device-probe';
import { openTcpTransport } from '../../tools/device/tcp-transport';
import { serialOpenError } from '../../tools/device/serial-transport';
import { createMemoryLogger } from '../../tools/shared/log';
import { anchorOf } from '../support/user-error';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266' });
});
afterAll(() => sim.close());

const url = () => `tcp://127.0.0.1:${sim.port}`;
const deps = { findPort: async (p?: string) => p! };

/** A TCP server standing in for a device: `answer` decides what it says to each chunk received. */
async function fakeDevice(answer: (data: string, sock: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on('data', (d) => answer(d.toString('latin1'), s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of socks) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

test('evaluates expressions on the device and returns their JSON values', async () => {
  const client = createConsoleClient(await openTcpTransport(url()));
  try {
    await client.sync();
    expect(await client.evaluate('1+2')).toBe(3);
    expect(await client.evaluate('"a\\u0001\\n\\"b"')).toBe('a\u0001\n"b');
    expect(await client.evaluate('{x:[1,"y",null]}')).toEqual({ x: [1, 'y', null] });
    // Espruino's JSON.stringify(undefined) is "null" (recorded on 2v29); a function is "undefined"
    expect(await client.evaluate('undefined')).toBeNull();
    expect(await client.evaluate('(function(){})')).toBeUndefined();
    expect(await client.evaluate('process.env.BOARD')).toBe('ESP8266_4MB');
  } finally {
    await client.close();
  }
});

test("a device exception rejects with the device's own Uncaught line, and the console keeps working", async () => {
  const client = createConsoleClient(await openTcpTransport(url()));
  try {
    await expect(client.evaluate('noSuchThing.x')).rejects.toThrow(DeviceReplyError);
    await expect(client.evaluate('noSuchThing.x')).rejects.toThrow(/^Uncaught ReferenceError/);
    expect(await client.evaluate('2*21')).toBe(42);
  } finally {
    await client.close();
  }
});

test('a half-typed line on the console is cleared with Ctrl-C before the probe', async () => {
  sim.device.consoleInput('var half = foo(');
  const log = createMemoryLogger();
  const dev = await openDevice({ port: url(), log, syncWaitMs: 200 }, deps);
  try {
    expect(dev.info.version).toBe('2v29');
    expect(dev.info.board).toBe('ESP8266_4MB');
    expect(dev.info.hasTls).toBe(false);
    expect(dev.info.storage.totalBytes).toBe(196608);
  } finally {
    await dev.close();
  }
});

test('a port where nothing answers is reported as a device that does not answer', async () => {
  const silent = await fakeDevice(() => undefined);
  try {
    expect(await anchorOf(openDevice({ port: silent.url, log: createMemoryLogger(), syncWaitMs: 40 }, deps))).toBe('device-no-answer');
  } finally {
    await silent.close();
  }
});

test('a port that answers, but not like Espruino, is reported as not an Espruino', async () => {
  const lua = await fakeDevice((_d, s) => s.write('\r\nstdin:1: unexpected symbol near char(16)\r\n> '));
  try {
    expect(await anchorOf(openDevice({ port: lua.url, log: createMemoryLogger(), syncWaitMs: 40 }, deps))).toBe('device-not-espruino');
  } finally {
    await lua.close();
  }
  expect(() => parseProbe('tcp://x', 7)).toThrow(/does not report an Espruino version/);
});

test('a closed TCP port and an unknown host give their own sentences', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  expect(await anchorOf(openTcpTransport(`tcp://127.0.0.1:${port}`))).toBe('device-console-closed');
  await expect(openTcpTransport(`tcp://127.0.0.1:${port}`)).rejects.toThrow(/hold its FLASH button for 10 s/);
  expect(await anchorOf(openTcpTransport('tcp://no-such-host.invalid:23'))).toBe('port-invalid');
});

test('a link that drops while a request waits fails it at once as a lost device', async () => {
  const dropper = await fakeDevice((_d, s) => s.destroy());
  const client = createConsoleClient(await openTcpTransport(dropper.url), { timeoutMs: 20000 });
  try {
    expect(await anchorOf(client.evaluate('1'))).toBe('device-disconnected');
    expect(await anchorOf(client.evaluate('1'))).toBe('device-disconnected');
  } finally {
    await client.close();
    await dropper.close();
  }
});

test('serial open failures become one sentence each: busy, no permission, missing', () => {
  expect(serialOpenError('/dev/ttyUSB0', 'Error: Error Resource temporarily unavailable Cannot lock port').anchor).toBe('port-busy');
  expect(serialOpenError('/dev/cu.usbserial-1', 'Error: Resource busy, cannot open /dev/cu.usbserial-1').anchor).toBe('port-busy');
  expect(serialOpenError('COM3', 'Opening COM3: Access denied').anchor).toBe('port-busy');
  expect(serialOpenError('/dev/ttyUSB0', 'Error: Permission denied, cannot open /dev/ttyUSB0').anchor).toBe('port-denied');
  expect(serialOpenError('/dev/ttyUSB9', 'Error: No such file or directory, cannot open /dev/ttyUSB9').anchor).toBe('port-not-found');
  expect(serialOpenError('/dev/ttyUSB0', 'Error: Error: something odd').message).toMatch(/Cannot open \/dev\/ttyUSB0 \(something odd\)/);
});
