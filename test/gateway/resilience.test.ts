// Nothing is lost and order is kept when the gateway restarts, or the link to AWS drops, while
// a device is pressing: the device keeps each event until its PUBACK, which the gateway sends
// only after AWS acknowledged, so every unacknowledged event is resent after reconnecting.
import type { Client } from 'aedes';
import { createFixture, createTestDevice, type Fixture } from './support/gateway-fixture';

const THING = 'gw-res-1';
let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture([THING]);
});
afterAll(async () => {
  await fx?.close();
});

const seqsSeen = (run: string) =>
  fx.seen
    .filter((m) => m.topic === `devices/${THING}/events/button` && m.payload.includes(`"run":"${run}"`))
    .map((m) => (JSON.parse(m.payload) as { seq: number }).seq);
const seenSeq = (run: string, seq: number) => fx.waitSeen((m) => m.payload === `{"run":"${run}","seq":${seq}}`);

/** At-least-once in order: each seq arrives, none goes backwards (a resend may repeat the latest). */
function expectAllInOrder(seqs: number[], n: number) {
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThanOrEqual(seqs[i - 1]);
  expect([...new Set(seqs)]).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

test('a gateway restart during presses loses nothing and keeps order', async () => {
  const dev = createTestDevice(fx, THING, () => fx.gateway.port);
  const press = (seq: number) => dev.press(`{"run":"restart","seq":${seq}}`);
  try {
    for (let s = 1; s <= 5; s++) press(s);
    await seenSeq('restart', 2);
    const port = fx.gateway.port;
    await fx.gateway.close();
    for (let s = 6; s <= 10; s++) press(s); // pressed while the gateway is down
    await fx.startGateway(port);
    for (let s = 11; s <= 15; s++) press(s);
    await dev.drained();
    await seenSeq('restart', 15);
    expectAllInOrder(seqsSeen('restart'), 15);
    expect(dev.connects).toBeGreaterThanOrEqual(2);
  } finally {
    await dev.stop();
  }
});

test('AWS dropping the upstream connection during presses loses nothing and keeps order', async () => {
  const dev = createTestDevice(fx, THING, () => fx.gateway.port);
  const press = (seq: number) => dev.press(`{"run":"drop","seq":${seq}}`);
  // aedes keeps its clients by id (not in its typings); destroying the socket is AWS dropping the link.
  const clients = (fx.broker.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
  const dropUpstream = () => clients[THING]?.conn.destroy();
  try {
    for (let s = 1; s <= 10; s++) press(s);
    await seenSeq('drop', 3);
    dropUpstream();
    for (let s = 11; s <= 15; s++) press(s);
    await seenSeq('drop', 8);
    dropUpstream();
    for (let s = 16; s <= 20; s++) press(s);
    await dev.drained();
    await seenSeq('drop', 20);
    expectAllInOrder(seqsSeen('drop'), 20);
    expect(dev.connects).toBeGreaterThanOrEqual(3);
    expect(fx.logs.some((l) => l.startsWith(`upstream of ${THING} lost`))).toBe(true);
  } finally {
    await dev.stop();
  }
});

test('an event AWS never acknowledged before the drop is resent and arrives', async () => {
  const aedes = fx.broker.aedes;
  const original = aedes.authorizePublish;
  let dropped = false;
  // The first attempt at seq 2 reaches AWS, which drops the link before acknowledging it.
  aedes.authorizePublish = (client, packet, done) => {
    if (!dropped && packet.payload.toString().includes('"run":"unacked","seq":2')) {
      dropped = true;
      client?.conn.destroy();
      return;
    }
    original.call(aedes, client, packet, done);
  };
  const dev = createTestDevice(fx, THING, () => fx.gateway.port);
  try {
    for (let s = 1; s <= 4; s++) dev.press(`{"run":"unacked","seq":${s}}`);
    await dev.drained();
    await seenSeq('unacked', 4);
    expect(dropped).toBe(true);
    expectAllInOrder(seqsSeen('unacked'), 4);
  } finally {
    aedes.authorizePublish = original;
    await dev.stop();
  }
});
