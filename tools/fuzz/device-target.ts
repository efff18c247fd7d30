// Fuzz target: the device's MQTT session (firmware/core/mqtt/client.ts), which frames and decodes
// every byte a broker sends. A case is a broker's reply stream (valid, refused, oversized, mutated or
// random) fed in random chunks through a fake socket, with timers firing and the socket closing in
// between. The client must never throw, end exactly once and stay silent after, leave no timer,
// refuse oversized packets from their header alone, decode valid streams exactly (PUBACK, PINGRESP,
// incoming PUBLISH QoS 0/1, SUBACK), and acknowledge every QoS 1 message it reports, in order.
import { createMqttClient, type MqttEvents } from '../../firmware/core/mqtt/client';
import type { Clock, Socket } from '../../firmware/ports';
import { chunk, mutate, randomBytes } from './mutate';
import { createRng, type Rng } from './rng';

export type CaseResult = { ok: true; kind: string } | { ok: false; kind: string; problem: string; chunks: string[] };

type Ev =
  | { t: 'end'; reason: string }
  | { t: 'connack'; sp: boolean }
  | { t: 'puback'; id: number }
  | { t: 'message'; topic: string; payload: string; qos: number; id: number }
  | { t: 'suback'; id: number; code: number }
  | { t: 'other'; type: number };

const ch = (n: number) => String.fromCharCode(n & 255);
const u16 = (n: number) => ch(n >> 8) + ch(n);
const connack = (sp: boolean, code: number) => '\x20\x02' + ch(sp ? 1 : 0) + ch(code);
const puback = (id: number) => '\x40\x02' + u16(id);
const PINGRESP = '\xd0\x00';
/** MQTT's Remaining Length for `n` (7 bits a byte), written here rather than taken from the firmware it tests. */
function remainingLength(n: number): string {
  let rl = '';
  do {
    const b = n & 127;
    n = Math.floor(n / 128);
    rl += ch(n ? b | 128 : b);
  } while (n);
  return rl;
}

interface FakeClock extends Clock {
  advance(ms: number): void;
  pending(): number;
}

function fakeClock(): FakeClock {
  let t = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: (sec?: number) => (sec === undefined ? t : sec * 1000),
    wall: () => null,
    after(ms, fn) {
      const id = next++;
      timers.set(id, { at: t + Math.max(0, ms), fn });
      return id;
    },
    cancel(id) {
      if (id !== undefined) timers.delete(id);
    },
    advance(ms) {
      const end = t + ms;
      for (let guard = 0; guard < 1000; guard++) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= end && (!due || e[1].at < due[1].at)) due = e;
        if (!due) break;
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = end;
    },
    pending: () => timers.size,
  };
}

/** A valid reply stream (no packet over `max` bytes) and the events it must give. */
function validStream(r: Rng, max = 1 << 20): { bytes: string; want: Ev[] } {
  const sp = r.chance(0.3);
  let bytes = connack(sp, 0);
  const want: Ev[] = [{ t: 'connack', sp }];
  for (let i = r.int(6); i > 0; i--) {
    const roll = r.int(10);
    const id = r.chance(0.1) ? r.pick([1, 255, 256, 65535]) : r.range(1, 65535);
    if (roll < 5) {
      bytes += puback(id);
      want.push({ t: 'puback', id });
    } else if (roll < 8) {
      // An incoming PUBLISH, QoS 0 or 1, retain and dup at random: any payload bytes, a topic of
      // one or more bytes (never a wildcard: a broker sends topic names).
      const qos = r.int(2);
      const topic = randomBytes(r, r.range(1, 12)).replace(/[+#\x00]/g, 'a');
      const payload = randomBytes(r, r.int(r.chance(0.9) ? 20 : 300));
      const body = u16(topic.length) + topic + (qos ? u16(id) : '') + payload;
      const p = ch(0x30 | (qos << 1) | (r.chance(0.3) ? 8 : 0) | (r.chance(0.3) ? 1 : 0)) + remainingLength(body.length) + body;
      if (p.length > max) bytes += PINGRESP;
      else {
        bytes += p;
        want.push({ t: 'message', topic, payload, qos, id: qos ? id : 0 });
      }
    } else if (roll < 9) {
      const code = r.pick([0, 1, 0x80]);
      bytes += '\x90\x03' + u16(id) + ch(code);
      want.push({ t: 'suback', id, code });
    } else bytes += PINGRESP;
  }
  return { bytes, want };
}

/**
 * Runs case `seed`. Kinds: valid (exact events), refused (CONNACK 1..255), oversized (closed from
 * the header alone), mutated (invariants only), random (invariants only).
 */
export function deviceCase(seed: number): CaseResult {
  const r = createRng(seed);
  const maxPacket = r.pick([8, 64, 1024]);
  const keepalive = r.pick([0, 1, 30, 60]);
  let kind: string;
  let bytes: string;
  let want: Ev[] | undefined;
  let wantEnd: ((reason: string) => boolean) | undefined;
  const roll = r.int(100);
  if (roll < 20) {
    kind = 'valid';
    ({ bytes, want } = validStream(r, maxPacket));
  } else if (roll < 30) {
    kind = 'refused';
    const code = r.range(1, 255);
    bytes = connack(false, code) + validStream(r).bytes.slice(4);
    want = [];
    wantEnd = (why) => why.startsWith(`CONNACK ${code}`);
  } else if (roll < 38) {
    kind = 'oversized';
    // A packet announcing more than maxPacket: refused as soon as its length is read, body or not.
    const len = maxPacket + r.range(0, 100000);
    bytes = connack(false, 0) + ch(r.pick([0x30, 0x40, 0xd0, 0x90])) + remainingLength(len) + randomBytes(r, r.int(4));
    want = [{ t: 'connack', sp: false }];
    wantEnd = (why) => /too large|malformed/.test(why);
  } else if (roll < 85) {
    kind = 'mutated';
    bytes = mutate(r, validStream(r).bytes, r.range(1, 4));
  } else {
    kind = 'random';
    bytes = (r.chance(0.5) ? connack(r.chance(0.5), 0) : '') + randomBytes(r, r.int(r.chance(0.9) ? 40 : 3000));
  }
  // The stream in chunks, with time passing and the socket closing at random points.
  const chunks = chunk(r, bytes, 8);
  const steps = chunks.map((c) => ({ c, adv: r.chance(0.2) ? r.pick([1, 999, 30000, 61000]) : 0, close: r.chance(0.02) ? r.pick(['close', 'error']) : '' }));
  const fail = (problem: string): CaseResult => ({ ok: false, kind, problem, chunks });

  const clock = fakeClock();
  const writes: string[] = [];
  const handlers: Record<string, ((a?: unknown) => void)[]> = {};
  let ended = 0;
  const socket: Socket = {
    write: (d: string) => void writes.push(d),
    end: () => void ended++,
    on: ((e: string, fn: (a?: unknown) => void) => (handlers[e] ??= []).push(fn)) as Socket['on'],
  };
  const evs: Ev[] = [];
  let afterEnd = 0;
  const record = (e: Ev) => {
    if (evs.some((x) => x.t === 'end')) afterEnd++;
    evs.push(e);
  };
  // The session's events: one function (type, arg), as the client reports them.
  const on: MqttEvents = ((type: number, arg: unknown) => {
    if (type === 0) record({ t: 'end', reason: String(arg) });
    else if (type === 2) record({ t: 'connack', sp: !!(arg as { sp?: boolean }).sp });
    else if (type === 4) record({ t: 'puback', id: (arg as { id: number }).id });
    else if (type === 3) {
      const k = arg as { topic: string; payload: string; qos: number; id: number };
      record({ t: 'message', topic: k.topic, payload: k.payload, qos: k.qos, id: k.id });
    } else if (type === 9) {
      const k = arg as { id: number; code: number };
      record({ t: 'suback', id: k.id, code: k.code });
    } else record({ t: 'other', type });
  }) as MqttEvents;
  const fire = (e: string, a?: unknown) => {
    for (const fn of handlers[e] ?? []) fn(a);
  };
  try {
    createMqttClient(socket, clock, { clientId: 'fuzz', keepalive, clean: true, maxPacket }, on);
    let wrote = writes.length;
    for (const s of steps) {
      const closedBefore = evs.some((x) => x.t === 'end');
      fire('data', s.c);
      if (s.adv) clock.advance(s.adv);
      if (s.close === 'close') fire('close', false);
      if (s.close === 'error') fire('error', { message: 'fuzz' });
      if (closedBefore && writes.length > wrote) return fail('wrote after its end');
      wrote = writes.length;
    }
  } catch (e) {
    return fail(`threw: ${(e as Error)?.stack ?? e}`);
  }

  // Invariants, for every case.
  const ends = evs.filter((x) => x.t === 'end');
  if (ends.length > 1) return fail(`ended ${ends.length} times`);
  if (afterEnd) return fail(`${afterEnd} events after its end`);
  if (ends.length && (typeof (ends[0] as { reason: string }).reason !== 'string' || !(ends[0] as { reason: string }).reason)) return fail('ended without a reason');
  if (ends.length && clock.pending()) return fail(`${clock.pending()} timers left after its end`);
  if (ends.length && !ended) return fail('ended without ending the socket');
  if (evs.filter((x) => x.t === 'connack').length > 1) return fail('two CONNACKs reported');
  const firstOther = evs.findIndex((x) => x.t !== 'end' && x.t !== 'connack');
  const connackAt = evs.findIndex((x) => x.t === 'connack');
  if (firstOther >= 0 && (connackAt < 0 || connackAt > firstOther)) return fail('a packet reported before CONNACK');
  for (const e of evs) if ((e.t === 'puback' || e.t === 'suback') && !(e.id >= 1 && e.id <= 65535)) return fail(`${e.t} with id ${e.id}`);
  for (const e of evs) if (e.t === 'message' && (e.qos > 1 || !e.topic || (e.qos === 1) !== e.id > 0)) return fail(`message reported as ${JSON.stringify(e)}`);
  for (const e of evs) if (e.t === 'suback' && !(e.code < 2 || e.code === 0x80)) return fail(`SUBACK code ${e.code}`);
  // Every PUBACK the client wrote answers a QoS 1 message it reported, in order.
  const acked = writes.slice(1).filter((w) => w.startsWith('\x40\x02')).map((w) => (w.charCodeAt(2) << 8) | w.charCodeAt(3));
  const qos1 = evs.filter((e): e is Extract<Ev, { t: 'message' }> => e.t === 'message' && e.qos === 1).map((e) => e.id);
  if (JSON.stringify(acked) !== JSON.stringify(qos1)) return fail(`PUBACKs ${JSON.stringify(acked)} for QoS 1 messages ${JSON.stringify(qos1)}`);
  if (!writes.length || writes[0].charCodeAt(0) !== 0x10) return fail('CONNECT was not the first write');
  // After CONNECT: PINGREQ, DISCONNECT, or a PUBACK should the client ever take messages again.
  for (const w of writes.slice(1)) if (w !== '\xc0\x00' && w !== '\xe0\x00' && !(w.length === 4 && w.startsWith('\x40\x02'))) return fail(`unexpected write ${JSON.stringify(w)}`);

  // Exact outcomes where the input is known.
  const noTimeOrClose = steps.every((s) => !s.adv && !s.close);
  if (want && noTimeOrClose) {
    const got = evs.filter((x) => x.t !== 'end');
    if (JSON.stringify(got) !== JSON.stringify(want)) return fail(`events ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    const end = ends[0] as { reason: string } | undefined;
    if (wantEnd && !(end && wantEnd(end.reason))) return fail(`end ${JSON.stringify(end)} is not the one expected`);
    if (!wantEnd && end) return fail(`a valid stream ended the session: ${end.reason}`);
  }
  return { ok: true, kind };
}
