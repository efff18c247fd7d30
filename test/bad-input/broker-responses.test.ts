// Bad answers from the broker, as the exact bundle on a virtual NodeMCU meets them: each CONNACK
// refusal, a reserved return code, a second CONNACK, a packet before CONNACK, a QoS 2 PUBLISH and a
// SUBACK granting QoS 2 (never asked for), a packet over the size limit, garbage, and a hang-up
// right after CONNECT. Each gets a console line naming it; refusals that need the user (2, 4, 5)
// also show the error pattern; the device never crashes, retries, and delivers once the broker
// behaves. A scripted plain-MQTT broker plays each part in turn, one per connection. The behaving
// broker also sends a PUBLISH and a SUBACK nobody asked for: the device acknowledges the QoS 1
// PUBLISH, ignores both, and stays connected.
import net from 'node:net';
import { createWorkspace, sleep, startRigDevice, until, type RigDevice, type Workspace } from '../interop/support/rig';

const u16 = (n: number) => String.fromCharCode(n >> 8, n & 255);
const CONNACK = (code: number) => '\x20\x02\x00' + String.fromCharCode(code);

interface Part {
  name: string;
  /** What the broker sends after the device's CONNECT (undefined: hang up at once). */
  reply?: string;
  /** The console line the device must print for it. */
  line: RegExp;
  /** Needs the user: shown as an error (the LED's error pattern), not only retried. */
  fatal?: boolean;
}

const PARTS: Part[] = [
  { name: 'CONNACK 1 (protocol version)', reply: CONNACK(1), line: /^mqtt: CONNACK 1: unacceptable protocol version, retry in/ },
  { name: 'CONNACK 2 (identifier rejected)', reply: CONNACK(2), line: /^mqtt: CONNACK 2: identifier rejected, retry in/, fatal: true },
  { name: 'CONNACK 3 (server unavailable)', reply: CONNACK(3), line: /^mqtt: CONNACK 3: server unavailable, retry in/ },
  { name: 'CONNACK 4 (bad user name or password)', reply: CONNACK(4), line: /^mqtt: CONNACK 4: bad user name or password, retry in/, fatal: true },
  { name: 'CONNACK 5 (not authorized)', reply: CONNACK(5), line: /^mqtt: CONNACK 5: not authorized, retry in/, fatal: true },
  { name: 'a reserved CONNACK code (6)', reply: CONNACK(6), line: /^mqtt: CONNACK 6: refused, retry in/ },
  { name: 'a second CONNACK', reply: CONNACK(0) + CONNACK(0), line: /^mqtt: protocol error: second CONNACK, retry in/ },
  { name: 'a PUBACK before CONNACK', reply: '\x40\x02' + u16(1) + CONNACK(0), line: /^mqtt: protocol error: packet before CONNACK, retry in/ },
  { name: 'a QoS 2 PUBLISH (never subscribed at QoS 2)', reply: CONNACK(0) + '\x34\x09' + u16(3) + 'a/b' + u16(1) + 'hi', line: /^mqtt: malformed PUBLISH, retry in/ },
  { name: 'a SUBACK granting QoS 2 (never asked for)', reply: CONNACK(0) + '\x90\x03' + u16(1) + '\x02', line: /^mqtt: malformed SUBACK, retry in/ },
  { name: 'a packet over the size limit (100 KB announced)', reply: CONNACK(0) + '\x30\xa0\x8d\x06', line: /^mqtt: packet too large, retry in/ },
  { name: 'a Remaining Length of five bytes', reply: CONNACK(0) + '\xd0\xff\xff\xff\xff\x01', line: /^mqtt: malformed remaining length, retry in/ },
  { name: 'a malformed CONNACK', reply: '\x20\x03\x00\x00\x00', line: /^mqtt: malformed CONNACK, retry in/ },
  { name: 'garbage', reply: '\xff\x00', line: /^mqtt: malformed packet, retry in/ },
  { name: 'a hang-up right after CONNECT', line: /^mqtt: socket closed, retry in/ },
];

let ws: Workspace;
let server: net.Server;
const socks = new Set<net.Socket>();
let conn = 0;
/** PUBACKs the device sent, by packet id (for the PUBLISH nobody subscribed to). */
const devicePubacks: number[] = [];
/** Connection n plays PARTS[n]; after the last, the broker behaves (CONNACK 0, PUBACKs). */
function handle(s: net.Socket): void {
  socks.add(s);
  s.on('close', () => socks.delete(s));
  s.on('error', () => undefined);
  const part = PARTS[conn++];
  let buf = '';
  let connected = false;
  s.on('data', (d) => {
    buf += d.toString('latin1');
    // Frame what the device sends; answer CONNECT with the part, then behave.
    for (;;) {
      if (buf.length < 2) return;
      let len = 0;
      let mul = 1;
      let o = 1;
      for (; o < buf.length; o++) {
        len += (buf.charCodeAt(o) & 127) * mul;
        mul *= 128;
        if (!(buf.charCodeAt(o) & 128)) break;
      }
      if (o >= buf.length || buf.length < o + 1 + len) return;
      const p = buf.slice(0, o + 1 + len);
      buf = buf.slice(p.length);
      const type = p.charCodeAt(0) >> 4;
      if (type === 1 && !connected) {
        connected = true;
        // Behaving, but with a QoS 1 PUBLISH and a SUBACK the device never asked for.
        if (!part) s.write(Buffer.from(CONNACK(0) + '\x32\x09' + u16(3) + 'a/b' + u16(77) + 'hi' + '\x90\x03' + u16(9) + '\x80', 'latin1'));
        else if (part.reply === undefined) s.destroy();
        else s.write(Buffer.from(part.reply, 'latin1'));
      } else if (type === 3 && (p.charCodeAt(0) & 6) === 2) {
        const tl = (p.charCodeAt(o + 1) << 8) | p.charCodeAt(o + 2);
        s.write(Buffer.from('\x40\x02' + p.slice(o + 3 + tl, o + 5 + tl), 'latin1')); // PUBACK with its id
      } else if (type === 4) devicePubacks.push((p.charCodeAt(o + 1) << 8) | p.charCodeAt(o + 2));
      else if (type === 12) s.write(Buffer.from('\xd0\x00', 'latin1'));
    }
  });
}

beforeAll(async () => {
  ws = await createWorkspace();
  server = net.createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
}, 60000);
afterAll(async () => {
  for (const s of socks) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  ws?.cleanup();
});

test('every bad broker answer is named on the console, the device retries, and it delivers once the broker behaves', async () => {
  const port = (server.address() as net.AddressInfo).port;
  // Plain MQTT over TCP with no gateway secret: the device speaks to this broker directly.
  const d: RigDevice = startRigDevice(ws, 'bad-broker', { kind: 'plain', port });
  try {
    let from = 0;
    for (const part of PARTS) {
      const hit = await d.waitLine(part.line, 15000, from).catch((e: Error) => {
        throw new Error(`${part.name}: ${e.message}`);
      });
      const at = d.lines.indexOf(hit, from);
      // A refusal's error line comes just before its retry line (the app hears of the refusal first).
      // Only up to the hit: after it may already stand the next part's error (a retry in 0 s).
      const errorLine = d.lines.slice(from, at + 1).find((l) => /^error: mqtt refused/.test(l));
      expect([part.name, errorLine !== undefined]).toEqual([part.name, part.fatal === true]);
      from = at + 1;
    }
    // The broker behaves now: the device connects and a press is delivered.
    await d.waitLine(/^mqtt: connected/, 15000, from);
    await sleep(50);
    await d.press();
    await d.waitLine(/^press seq 1 delivered/, 10000, from);
    expect(devicePubacks).toEqual([77]);
    expect(d.lines.slice(from).filter((l) => /retry in/.test(l))).toEqual([]);
    expect(d.lines.join('\n')).not.toMatch(/Uncaught/);
    expect(d.device.evaluate('1+1')).toBe(2);
  } finally {
    await d.close();
  }
}, 120000);
