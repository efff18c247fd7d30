// Bad clients over real sockets: hundreds of connections sending random bytes, mutated MQTT
// packets, CONNECTs with broken fields, and garbage after a good CONNECT, thrown at the LAN
// gateway (plain TCP) and at the AWS-like broker (through TLS with a valid certificate, so the bytes
// reach its MQTT parser). Each bad client is dropped; the servers keep serving a good device the
// whole time, and never throw. Seeded: GARBAGE_SEED=<n> replays another run.
import net from 'node:net';
import tls from 'node:tls';
import mqtt from 'mqtt';
import { connectPassword, tagEvent } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { createRng, type Rng } from '../../tools/fuzz/rng';
import { mutate, randomBytes } from '../../tools/fuzz/mutate';
import { createWorkspace, startRigBroker, startRigGateway, until, type RigBroker, type RigGateway, type Workspace } from '../interop/support/rig';

const SEED = Number(process.env.GARBAGE_SEED ?? 77);
const PER_SERVER = 240;

let ws: Workspace;
let broker: RigBroker;
let gw: RigGateway;
let secret: string;
let authSecret: string;
let counter = 0;
/** The device that must keep working throughout. */
const GOOD = 'garbage-good';
/** An enrolled thing whose secret the bad client does not know. */
const BAD = 'garbage-bad';
/** An enrolled thing whose secret the bad client does know: its garbage reaches an authorized session. */
const INSIDER = 'garbage-insider';

beforeAll(async () => {
  ws = await createWorkspace();
  broker = await startRigBroker('aws-like', ws.pki);
  gw = await startRigGateway(ws.pki, ws.dir, broker.port);
  secret = gw.enrol(GOOD);
  gw.enrol(BAD);
  authSecret = gw.enrol(INSIDER);
}, 60000);
afterAll(async () => {
  await gw?.close();
  await broker?.close();
  ws?.cleanup();
});

// Packets built by hand (one char per byte), so they can be wrong in every way.
const ch = (n: number) => String.fromCharCode(n & 255);
const u16 = (n: number) => ch(n >> 8) + ch(n);
const str = (s: string) => u16(Buffer.byteLength(s, 'latin1')) + s;
function frame(first: number, body: string): string {
  let rl = '';
  let n = body.length;
  do {
    const b = n & 127;
    n >>= 7;
    rl += ch(n ? b | 128 : b);
  } while (n);
  return ch(first) + rl + body;
}
function connect(o: { id: string; user?: string; pass?: string; flags?: number; level?: number; name?: string; keepalive?: number }): string {
  let flags = 2 | (o.user !== undefined ? 128 : 0) | (o.pass !== undefined ? 64 : 0);
  if (o.flags !== undefined) flags = o.flags;
  let body = str(o.name ?? 'MQTT') + ch(o.level ?? 4) + ch(flags) + u16(o.keepalive ?? 30) + str(o.id);
  if (o.user !== undefined) body += str(o.user);
  if (o.pass !== undefined) body += str(o.pass);
  return frame(0x10, body);
}
const publish = (topic: string, payload: string, qos: number, id = 1) => frame(0x30 | (qos << 1), str(topic) + (qos ? u16(id) : '') + payload);
const subscribe = (topic: string, flags = 2) => frame(0x80 | flags, u16(1) + str(topic) + ch(1));

/** A bad client's bytes. `auth` is a valid CONNECT to put first, so the garbage reaches an authorized session. */
function garbage(r: Rng, thing: string, auth: () => string): { label: string; bytes: string } {
  const ownTopic = `devices/${thing}/events/button`;
  switch (r.int(10)) {
    case 0:
      return { label: 'random bytes', bytes: randomBytes(r, r.range(1, 300)) };
    case 1:
      return { label: 'a first packet that is not CONNECT', bytes: r.pick([publish(ownTopic, '{}', 0), '\xc0\x00', subscribe('#'), '\xe0\x00']) };
    case 2:
      // The 3.1 name with level 4 is accepted by aedes's parser, as [MQTT-3.1.2-1] allows; a wrong level never is.
      return r.chance(0.3) ? { label: 'a CONNECT with the 3.1 protocol name', bytes: connect({ id: thing, name: 'MQIsdp', level: 4 }) } : { label: 'a CONNECT with a wrong protocol level', bytes: connect({ id: thing, level: r.pick([0, 2, 6, 255]) }) };
    case 3:
      return { label: 'a CONNECT with the reserved flag or a password without a user name', bytes: connect({ id: thing, flags: r.pick([1, 3, 64 | 2, 0x1f]) }) };
    case 4:
      return { label: 'a mutated CONNECT', bytes: mutate(r, auth(), r.range(1, 4)) };
    case 5:
      return { label: 'a good CONNECT, then random bytes', bytes: auth() + randomBytes(r, r.range(1, 200)) };
    case 6:
      return { label: 'a good CONNECT, then a mutated PUBLISH', bytes: auth() + mutate(r, publish(ownTopic, '{"seq":1}', 1), r.range(1, 3)) };
    case 7:
      return { label: 'a good CONNECT, then a reserved packet type or bad flags', bytes: auth() + r.pick(['\x00\x00', '\xf0\x00', subscribe(ownTopic, 0), '\x32\x00', '\x36\x05\x00\x01a\x00\x01']) };
    case 8:
      return { label: 'a good CONNECT, then a second CONNECT', bytes: auth() + auth() };
    default:
      return { label: 'a good CONNECT, then a huge Remaining Length', bytes: auth() + '\x30\xff\xff\xff\x7f' + randomBytes(r, r.int(64)) };
  }
}

interface Outcome {
  label: string;
  /** The server closed the connection before we did. */
  dropped: boolean;
}

/**
 * Sends `bytes`, then waits for the server to close. A client the server must drop (its bytes are
 * complete and invalid) waits for that, however long a loaded machine takes (up to 20 s); any other
 * hangs up itself 1.5 s after its bytes went out, since a server may rightly wait for the rest of a
 * packet that is cut short. Clocks start once the bytes are written, never at connect: a TLS
 * handshake slowed by load must not count against the server.
 */
function throwAt(open: () => net.Socket, label: string, bytes: string, mustDrop: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = open();
    let done = false;
    let endedByUs = false;
    let t1: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(t1);
      clearTimeout(t2);
      s.destroy();
      resolve({ label, dropped: !endedByUs });
    };
    s.on('error', () => finish());
    s.on('close', () => finish());
    s.on('data', () => undefined);
    s.once(s instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () =>
      s.write(Buffer.from(bytes, 'latin1'), () => {
        if (mustDrop || done) return;
        t1 = setTimeout(() => {
          endedByUs = true;
          s.end();
        }, 1500);
      }),
    );
    // Past this the server has not dropped it: recorded as not dropped (and failed if it had to be).
    const t2 = setTimeout(() => {
      endedByUs = true;
      finish();
    }, 20000);
  });
}

/** A good device publishing through `url` while the garbage flies; resolves with what it sent. */
async function goodDevice(url: string, opts: mqtt.IClientOptions, topic: string, tag: (p: string) => string, count: () => boolean) {
  const c = await mqtt.connectAsync(url, { ...opts, reconnectPeriod: 0, protocolVersion: 4 });
  let n = 0;
  try {
    while (count()) {
      n++;
      await c.publishAsync(topic, tag(`{"seq":${n}}`), { qos: 1 });
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await c.endAsync();
  }
  return n;
}

async function inBatches<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => job(i + k)))));
  return out;
}

async function observer(thing: string) {
  const o = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, { ...tlsFor('observer'), clientId: 'observer', reconnectPeriod: 0, protocolVersion: 4 });
  const seen: string[] = [];
  o.on('message', (_t, m) => seen.push(m.toString()));
  await o.subscribeAsync(`devices/${thing}/#`, { qos: 1 });
  return { o, seen };
}

function tlsFor(cn: string) {
  const id = ws.pki.client(cn);
  return { key: id.key, cert: id.cert, ca: ws.pki.ca };
}

function summarise(out: Outcome[]): string {
  const by = new Map<string, { n: number; dropped: number }>();
  for (const o of out) {
    const e = by.get(o.label) ?? { n: 0, dropped: 0 };
    e.n++;
    if (o.dropped) e.dropped++;
    by.set(o.label, e);
  }
  return [...by].map(([l, e]) => `${l}: ${e.dropped}/${e.n} dropped by the server`).join('; ');
}

/** Which kinds must be dropped by the server itself (complete and invalid), not merely outwaited. */
const MUST_DROP = ['a first packet that is not CONNECT', 'a CONNECT with a wrong protocol level', 'a CONNECT with the reserved flag or a password without a user name', 'a good CONNECT, then a reserved packet type or bad flags', 'a good CONNECT, then a second CONNECT'];

test(`the gateway drops ${PER_SERVER} bad clients and keeps forwarding a good device's events`, async () => {
  const r = createRng(SEED);
  const { o, seen } = await observer(GOOD);
  let flying = true;
  const topic = `devices/${GOOD}/events/button`;
  const sent = goodDevice(
    `mqtt://127.0.0.1:${gw.port}`,
    { clientId: GOOD, username: GOOD, password: connectPassword(GOOD, secret, 1, sha1) },
    topic,
    (p) => tagEvent(topic, p, secret, sha1),
    () => flying,
  );
  // The bad client either guesses a password for an enrolled thing (refused), or is an insider
  // with valid credentials whose garbage then reaches an authorized session.
  const guess = () => connect({ id: BAD, user: BAD, pass: `v1:${r.range(1, 1e9)}:${randomBytes(r, 40)}` });
  const insider = () => connect({ id: INSIDER, user: INSIDER, pass: connectPassword(INSIDER, authSecret, ++counter, sha1) });
  const out = await inBatches(PER_SERVER, 12, () => {
    const inside = r.chance(0.4);
    const g = garbage(r, inside ? INSIDER : BAD, inside ? insider : guess);
    return throwAt(() => net.connect({ host: '127.0.0.1', port: gw.port }), g.label, g.bytes, MUST_DROP.includes(g.label));
  });
  flying = false;
  const n = await sent;
  await until(() => seen.includes(`{"seq":${n}}`), 10000, () => `the observer saw ${seen.length} of ${n}`);
  // Every event of the good device arrived (in order, once: nothing of the garbage got in between).
  expect(seen.filter((m) => /^\{"seq":\d+\}$/.test(m))).toEqual(Array.from({ length: n }, (_, i) => `{"seq":${i + 1}}`));
  for (const x of out) if (MUST_DROP.includes(x.label)) expect(x).toEqual({ label: x.label, dropped: true });
  expect(out.filter((x) => x.dropped).length).toBeGreaterThan(PER_SERVER / 2);
  // Still serving: a fresh good connection works after all of it.
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.port}`, { clientId: GOOD, username: GOOD, password: connectPassword(GOOD, secret, 2, sha1), reconnectPeriod: 0, protocolVersion: 4 });
  await c.publishAsync(topic, tagEvent(topic, '{"after":1}', secret, sha1), { qos: 1 });
  await c.endAsync();
  await until(() => seen.includes('{"after":1}'), 10000, () => 'the event after the garbage');
  expect(gw.logs.join('\n')).not.toContain(secret);
  await o.endAsync();
  process.stdout.write(`gateway: ${PER_SERVER} bad clients (seed ${SEED}); ${n} good events delivered meanwhile; ${summarise(out)}\n`);
}, 120000);

test(`the AWS-like broker drops ${PER_SERVER} bad clients behind valid TLS and keeps serving`, async () => {
  const r = createRng(SEED + 1);
  const { o, seen } = await observer(GOOD);
  let flying = true;
  const topic = `devices/${GOOD}/events/button`;
  const sent = goodDevice(`mqtts://127.0.0.1:${broker.port}`, { ...tlsFor(GOOD), clientId: GOOD }, topic, (p) => p, () => flying);
  const badTls = tlsFor(BAD);
  const auth = () => connect({ id: BAD });
  const out = await inBatches(PER_SERVER, 12, () => {
    const g = garbage(r, BAD, auth);
    return throwAt(() => tls.connect({ host: '127.0.0.1', port: broker.port, ...badTls, servername: 'localhost' }), g.label, g.bytes, MUST_DROP.includes(g.label));
  });
  flying = false;
  const n = await sent;
  await until(() => seen.includes(`{"seq":${n}}`), 10000, () => `the observer saw ${seen.length} of ${n}`);
  expect(seen.filter((m) => /^\{"seq":\d+\}$/.test(m))).toEqual(Array.from({ length: n }, (_, i) => `{"seq":${i + 1}}`));
  for (const x of out) if (MUST_DROP.includes(x.label)) expect(x).toEqual({ label: x.label, dropped: true });
  expect(out.filter((x) => x.dropped).length).toBeGreaterThan(PER_SERVER / 2);
  await o.endAsync();
  process.stdout.write(`AWS-like broker: ${PER_SERVER} bad clients over TLS (seed ${SEED + 1}); ${n} good events delivered meanwhile; ${summarise(out)}\n`);
}, 120000);
