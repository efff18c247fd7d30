// require("net") over real sockets: byte strings, Espruino's event order, failures, Wi-Fi loss.
import net from 'node:net';
import { fixture, makeDevice, waitFor, type TestDevice } from './helpers';

let t: TestDevice;
let server: net.Server;
let port: number;
const serverSockets = new Set<net.Socket>();
const timing = { connectMs: 5, dhcpMs: 5, retryMs: 50, beaconLossMs: 5, tcpTimeoutMs: 300 };

beforeEach(async () => {
  server = net.createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d) => s.write(d)); // echo
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  t = makeDevice({ timing });
  t.device.boot();
  t.device.evaluate('require("Wifi").connect("sim-ap", {password: "sim-pass"})');
  await waitFor(() => t.device.evaluate('require("Wifi").getStatus().station') === 'connected', 'Wi-Fi');
});
afterEach(async () => {
  await t.device.close();
  for (const s of serverSockets) s.destroy();
  serverSockets.clear();
  await new Promise<void>((r) => server.close(() => r()));
});

test('the echo client fixture round-trips bytes as a string of bytes', async () => {
  t.device.evaluate(`var PORT = ${port};`);
  t.device.evaluate(fixture('net-echo-client.js'));
  await waitFor(() => t.output().includes('echo '), 'echo result');
  const [, b64, events] = /echo (\S+) (\S+)/.exec(t.output())!;
  expect(Buffer.from(b64, 'base64')).toEqual(Buffer.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xff, 0x00, 0x80]));
  expect(events).toBe('connect,end,close:false');
});

test('a refused connection raises error, then end, then close(true), and never connect', async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  t.device.evaluate(`var EV = []; var s = require("net").connect({host: "127.0.0.1", port: ${deadPort}}, function () { EV.push("connect"); });
    s.on("error", function (e) { EV.push("error " + e.code + " " + e.message); });
    s.on("end", function () { EV.push("end"); });
    s.on("close", function (h) { EV.push("close " + h); });`);
  await waitFor(() => (t.device.evaluate('EV') as string[]).some((e) => e.startsWith('close')), 'close');
  expect(t.device.evaluate('EV')).toEqual(['error -9 connection reset', 'end', 'close true']);
});

test('the server closing the connection gives end and close(false)', async () => {
  t.device.evaluate(`var EV = []; var s = require("net").connect({host: "127.0.0.1", port: ${port}}, function () { EV.push("connect"); });
    s.on("end", function () { EV.push("end"); }); s.on("close", function (h) { EV.push("close " + h); });`);
  await waitFor(() => serverSockets.size === 1 && (t.device.evaluate('EV') as string[]).length === 1, 'connection');
  for (const s of serverSockets) s.end();
  await waitFor(() => (t.device.evaluate('EV') as string[]).length === 3, 'close events');
  expect(t.device.evaluate('EV')).toEqual(['connect', 'end', 'close false']);
});

test('writes before the connection opens are queued; write returns false', async () => {
  const got: Buffer[] = [];
  server.removeAllListeners('connection');
  server.on('connection', (s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('data', (d) => got.push(d));
  });
  expect(t.device.evaluate(`var q = require("net").connect({host: "127.0.0.1", port: ${port}}); q.write("early") + "," + q.write(42)`)).toBe('false,false');
  await waitFor(() => Buffer.concat(got).toString() === 'early42', 'queued data');
});

test('with Wi-Fi down a socket stalls and then times out', async () => {
  t.device.evaluate(`var EV = []; var s = require("net").connect({host: "127.0.0.1", port: ${port}}, function () { EV.push("connect"); });
    s.on("data", function (d) { EV.push("data " + d); });
    s.on("error", function (e) { EV.push("error " + e.code); });
    s.on("close", function (h) { EV.push("close " + h); });`);
  await waitFor(() => (t.device.evaluate('EV') as string[]).includes('connect'), 'connect');
  t.device.wifiDown();
  await waitFor(() => t.device.evaluate('require("Wifi").getIP().ip') === '0.0.0.0', 'Wi-Fi loss');
  t.device.evaluate('s.write("ping")');
  await waitFor(() => (t.device.evaluate('EV') as string[]).some((e) => e.startsWith('close')), 'timeout');
  expect(t.device.evaluate('EV')).toEqual(['connect', 'error -3', 'close true']);
});

test('a new connection while Wi-Fi is down fails with "no route"', async () => {
  t.device.wifiDown();
  await waitFor(() => t.device.evaluate('require("Wifi").getIP().ip') === '0.0.0.0', 'Wi-Fi loss');
  t.device.evaluate(`var EV = []; var s = require("net").connect({host: "127.0.0.1", port: ${port}});
    s.on("error", function (e) { EV.push("error " + e.code + " " + e.message); }); s.on("close", function (h) { EV.push("close " + h); });`);
  await waitFor(() => (t.device.evaluate('EV') as string[]).length === 2, 'failure');
  expect(t.device.evaluate('EV')).toEqual(['error -4 no route', 'close true']);
});

test('a power cut drops the connection at once', async () => {
  t.device.evaluate(`require("net").connect({host: "127.0.0.1", port: ${port}})`);
  await waitFor(() => serverSockets.size === 1, 'server side');
  t.device.powerCut();
  await waitFor(() => serverSockets.size === 0, 'server sees the drop');
});
