// The MQTT session against a fake socket and a fake clock: connect and refusals, QoS 0/1 publish ids,
// acks, subscribe and incoming publishes, keepalive pings, timeouts, end() and the one closed() event.
import { generate, parser, type Packet } from 'mqtt-packet';
import { createFakeClock, type FakeClock } from '../support/fake-clock';
import { createMqttClient, type MqttOptions } from '../../firmware/core/mqtt/client';
import { events, methods, type ClientMethods as MqttClient } from '../../firmware/core/mqtt/views';
import type { Socket } from '../../firmware/ports';

interface FakeSocket extends Socket {
  written: string[];
  ended: number;
  emit(event: string, arg?: unknown): void;
}

function createFakeSocket(): FakeSocket {
  const handlers: Record<string, ((arg?: any) => void)[]> = {};
  const s = {
    written: [] as string[],
    ended: 0,
    write(d: string) {
      s.written.push(d);
    },
    end() {
      s.ended++;
    },
    on(event: string, fn: (arg?: any) => void) {
      (handlers[event] ??= []).push(fn);
    },
    emit(event: string, arg?: unknown) {
      for (const fn of handlers[event] ?? []) fn(arg);
    },
  };
  return s as FakeSocket;
}

const gen = (p: Packet) => generate(p).toString('latin1');
/** The client's CONNACK wait (ms): it includes the TLS handshake on the device. */
const CONNACK_WAIT = 30000;

/** Every packet the client wrote, decoded by mqtt-packet (so the bytes are valid MQTT). */
function sent(s: FakeSocket): Packet[] {
  const out: Packet[] = [];
  const p = parser({ protocolVersion: 4 });
  p.on('packet', (k: Packet) => out.push(k));
  p.on('error', (e: Error) => {
    throw e;
  });
  p.parse(Buffer.from(s.written.join(''), 'latin1'));
  return out;
}

interface Harness {
  socket: FakeSocket;
  clock: FakeClock;
  client: MqttClient;
  log: string[];
  closed: string[];
}

function start(over: Partial<MqttOptions> = {}, connectWith?: number): Harness {
  const socket = createFakeSocket();
  const clock = createFakeClock(1000);
  const log: string[] = [];
  const closed: string[] = [];
  const opts: MqttOptions = { clientId: 'button-01', keepalive: 60, clean: true, maxPacket: 512, ...over };
  const client = methods(createMqttClient(socket, clock, opts, events({
    connected: (sp) => log.push(`connected ${sp}`),
    puback: (id) => log.push(`puback ${id}`),
    closed: (why) => closed.push(why),
    message: (topic, payload, qos, id) => log.push(`message ${topic} ${JSON.stringify(payload)} qos ${qos} id ${id}`),
    suback: (id, code) => log.push(`suback ${id} ${code}`),
  })));
  if (connectWith !== undefined) socket.emit('data', gen({ cmd: 'connack', returnCode: connectWith, sessionPresent: false }));
  return { socket, clock, client, log, closed };
}

describe('connecting', () => {
  test('writes CONNECT as soon as it is created, before any reply', () => {
    const h = start({ username: 'u', password: 'p', will: { topic: 'devices/button-01/status', payload: 'gone', qos: 1, retain: true } });
    expect(sent(h.socket)).toEqual([
      expect.objectContaining({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'button-01',
        keepalive: 60,
        clean: true,
        username: 'u',
        password: Buffer.from('p'),
        will: expect.objectContaining({ topic: 'devices/button-01/status', payload: Buffer.from('gone'), qos: 1, retain: true }),
      }),
    ]);
  });

  test('CONNACK 0 reports connected with the session-present flag', () => {
    const h = start();
    h.socket.emit('data', gen({ cmd: 'connack', returnCode: 0, sessionPresent: true }));
    expect(h.log).toEqual(['connected true']);
    expect(h.closed).toEqual([]);
  });

  test.each([
    [1, 'CONNACK 1: unacceptable protocol version'],
    [2, 'CONNACK 2: identifier rejected'],
    [3, 'CONNACK 3: server unavailable'],
    [4, 'CONNACK 4: bad user name or password'],
    [5, 'CONNACK 5: not authorized'],
    [6, 'CONNACK 6: refused'],
  ])('CONNACK %i closes with "%s" and ends the socket', (code, reason) => {
    const h = start({}, code);
    expect(h.log).toEqual([]);
    expect(h.closed).toEqual([reason]);
    expect(h.socket.ended).toBe(1);
    h.socket.emit('close');
    expect(h.closed).toHaveLength(1);
  });

  test('no CONNACK in time closes with "no CONNACK"', () => {
    const h = start();
    h.clock.advance(CONNACK_WAIT - 1);
    expect(h.closed).toEqual([]);
    h.clock.advance(1);
    expect(h.closed).toEqual(['no CONNACK']);
    expect(h.socket.ended).toBe(1);
    expect(h.clock.pending()).toBe(0);
  });

  test('any other packet before CONNACK is a protocol error', () => {
    const h = start();
    h.socket.emit('data', gen({ cmd: 'pingresp' }));
    expect(h.closed).toEqual(['protocol error: packet before CONNACK']);
  });

  test('a second CONNACK is a protocol error', () => {
    const h = start({}, 0);
    h.socket.emit('data', gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    expect(h.closed).toEqual(['protocol error: second CONNACK']);
  });
});

describe('publishing', () => {
  test('QoS 0 returns 0 and sends no packet id', () => {
    const h = start({}, 0);
    expect(h.client.publish('devices/button-01/press', '{"n":1}', 0, false)).toBe(0);
    const p = sent(h.socket)[1];
    expect(p).toMatchObject({ cmd: 'publish', topic: 'devices/button-01/press', qos: 0, retain: false });
    expect((p as { payload: Buffer }).payload.toString()).toBe('{"n":1}');
  });

  test('QoS 1 ids count from 1; QoS 0 publishes use none', () => {
    const h = start({}, 0);
    expect(h.client.publish('t/a', 'x', 1, true)).toBe(1);
    expect(h.client.publish('t/b', 'z', 0, false)).toBe(0);
    expect(h.client.publish('t/a', 'y', 1, false)).toBe(2);
    expect(sent(h.socket).slice(1)).toMatchObject([
      { cmd: 'publish', qos: 1, messageId: 1, retain: true },
      { cmd: 'publish', qos: 0, topic: 't/b' },
      { cmd: 'publish', qos: 1, messageId: 2, retain: false },
    ]);
  });

  test('packet ids wrap from 65535 to 1, never 0', () => {
    const h = start({}, 0);
    const ids = new Set<number>();
    let last = 0;
    for (let i = 0; i < 65536; i++) {
      last = h.client.publish('t', '', 1, false);
      ids.add(last);
    }
    expect(last).toBe(1);
    expect(ids.has(0)).toBe(false);
    expect(ids.size).toBe(65535);
  });

  test('may publish before CONNACK arrives [MQTT-3.1.4-5]', () => {
    const h = start();
    expect(h.client.publish('t', 'early', 1, false)).toBe(1);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect', 'publish']);
  });

  test('PUBACK reports the packet id', () => {
    const h = start({}, 0);
    const id = h.client.publish('t', 'x', 1, false);
    h.socket.emit('data', gen({ cmd: 'puback', messageId: id }));
    expect(h.log).toEqual(['connected false', `puback ${id}`]);
  });
});

describe('subscribing and receiving', () => {
  test('SUBSCRIBE carries one filter, its QoS and a packet id from the same counter as PUBLISH', () => {
    const h = start({}, 0);
    expect(h.client.publish('t', 'x', 1, false)).toBe(1);
    expect(h.client.subscribe('devices/button-01/cmd/#', 1)).toBe(2);
    expect(h.client.subscribe('a/+/b', 0)).toBe(3);
    expect(sent(h.socket).slice(2)).toEqual([
      expect.objectContaining({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'devices/button-01/cmd/#', qos: 1 }] }),
      expect.objectContaining({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/+/b', qos: 0 }] }),
    ]);
    // [MQTT-3.8.1-1]: SUBSCRIBE's fixed header flags are 0010.
    expect(h.socket.written[3].charCodeAt(0)).toBe(0x82);
  });

  test('SUBACK reports the QoS granted, or 0x80 for a refusal, by packet id', () => {
    const h = start({}, 0);
    const a = h.client.subscribe('ok', 1);
    const b = h.client.subscribe('refused', 1);
    h.socket.emit('data', gen({ cmd: 'suback', messageId: a, granted: [1] }) + gen({ cmd: 'suback', messageId: b, granted: [128] }));
    expect(h.log).toEqual(['connected false', `suback ${a} 1`, `suback ${b} 128`]);
    expect(h.closed).toEqual([]);
  });

  test('an incoming QoS 0 PUBLISH is reported and not acknowledged', () => {
    const h = start({}, 0);
    h.socket.emit('data', gen({ cmd: 'publish', topic: 'devices/button-01/cmd', payload: Buffer.from('blink'), qos: 0, retain: false, dup: false }));
    expect(h.log).toEqual(['connected false', 'message devices/button-01/cmd "blink" qos 0 id 0']);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect']);
  });

  test('an incoming QoS 1 PUBLISH is reported, then acknowledged with its packet id [MQTT-4.3.2-2]', () => {
    const h = start({}, 0);
    const order: string[] = [];
    h.socket.write = (d: string) => {
      h.socket.written.push(d);
      order.push(`write ${d.charCodeAt(0).toString(16)}`);
    };
    const publish = gen({ cmd: 'publish', topic: 'c', payload: Buffer.from([0, 0xff]), qos: 1, messageId: 4242, retain: true, dup: true });
    h.log.push = (line: string) => order.push(line);
    h.socket.emit('data', publish);
    expect(order).toEqual([`message c ${JSON.stringify('\x00\xff')} qos 1 id 4242`, 'write 40']);
    expect(sent(h.socket)[1]).toMatchObject({ cmd: 'puback', messageId: 4242 });
  });

  test('a QoS 1 PUBLISH whose handler throws is not acknowledged: the session closes and the broker sends it again', () => {
    const socket = createFakeSocket();
    const closed: string[] = [];
    createMqttClient(socket, createFakeClock(1000), { clientId: 'b', keepalive: 60, clean: true, maxPacket: 512 }, ((type: number, x: any) => {
      if (type === 0) closed.push(x);
      if (type === 3) throw new Error('handler failed');
    }) as never);
    socket.emit('data', gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    socket.emit('data', gen({ cmd: 'publish', topic: 'c', payload: Buffer.from('x'), qos: 1, messageId: 7, retain: false, dup: false }));
    expect(closed).toEqual(['error: handler failed']);
    expect(sent(socket).map((p) => p.cmd)).toEqual(['connect']);
  });

  test('PUBLISH and SUBACK before CONNACK are protocol errors [MQTT-3.2.0-1]', () => {
    for (const packet of [
      gen({ cmd: 'publish', topic: 'c', payload: Buffer.from('x'), qos: 0, retain: false, dup: false }),
      gen({ cmd: 'suback', messageId: 1, granted: [0] }),
    ]) {
      const h = start();
      h.socket.emit('data', packet);
      expect(h.closed).toEqual(['protocol error: packet before CONNACK']);
    }
  });

  test('subscribe after close sends nothing and returns -1', () => {
    const h = start({}, 0);
    h.client.end();
    const before = h.socket.written.length;
    expect(h.client.subscribe('t', 1)).toBe(-1);
    expect(h.socket.written).toHaveLength(before);
  });

  test('a QoS 2 PUBLISH (never asked for) closes the session unanswered', () => {
    const h = start({}, 0);
    h.socket.emit('data', gen({ cmd: 'publish', topic: 'c', payload: Buffer.from('x'), qos: 2, messageId: 3, retain: false, dup: false }));
    expect(h.closed).toEqual(['malformed PUBLISH']);
    expect(h.socket.written).toHaveLength(1);
    expect(h.socket.ended).toBe(1);
  });
});

describe('framing', () => {

  test('a reply split at every byte offset, and joined packets, give the same events', () => {
    const replies =
      gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }) +
      gen({ cmd: 'puback', messageId: 1 }) +
      gen({ cmd: 'pingresp' }) +
      gen({ cmd: 'puback', messageId: 2 });
    const run = (chunks: string[]) => {
      const h = start();
      for (const c of chunks) h.socket.emit('data', c);
      return { log: h.log, closed: h.closed, sent: sent(h.socket) };
    };
    const whole = run([replies]);
    expect(whole.log).toEqual(['connected false', 'puback 1', 'puback 2']);
    expect(whole.closed).toEqual([]);
    for (let i = 1; i < replies.length; i++) expect(run([replies.substr(0, i), replies.substr(i)])).toEqual(whole);
    expect(run(replies.split(''))).toEqual(whole);
  });
});

describe('keepalive', () => {
  test('sends PINGREQ after a keepalive of silence, and again after each answer', () => {
    const h = start({ keepalive: 10 }, 0);
    h.clock.advance(9999);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect']);
    h.clock.advance(1);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect', 'pingreq']);
    expect(h.socket.written[1]).toBe(gen({ cmd: 'pingreq' }));
    h.clock.advance(50);
    h.socket.emit('data', gen({ cmd: 'pingresp' }));
    h.clock.advance(9949);
    expect(sent(h.socket).filter((p) => p.cmd === 'pingreq')).toHaveLength(1);
    h.clock.advance(1);
    expect(sent(h.socket).filter((p) => p.cmd === 'pingreq')).toHaveLength(2);
    h.socket.emit('data', gen({ cmd: 'pingresp' }));
    for (let i = 0; i < 10; i++) {
      h.clock.advance(10000);
      h.socket.emit('data', gen({ cmd: 'pingresp' }));
    }
    expect(sent(h.socket).filter((p) => p.cmd === 'pingreq')).toHaveLength(12);
    expect(h.closed).toEqual([]);
  });

  test('any packet sent postpones the ping [MQTT-3.1.2-23]', () => {
    const h = start({ keepalive: 10 }, 0);
    h.clock.advance(6000);
    h.client.publish('t', 'x', 0, false);
    h.clock.advance(9999);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect', 'publish']);
    h.clock.advance(1);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect', 'publish', 'pingreq']);
  });

  test('no answer to PINGREQ within the wait closes with "ping timeout" and ends the socket', () => {
    const h = start({ keepalive: 10 }, 0);
    h.clock.advance(10000);
    expect(sent(h.socket).at(-1)?.cmd).toBe('pingreq');
    h.clock.advance(9999);
    expect(h.closed).toEqual([]);
    h.clock.advance(1);
    expect(h.closed).toEqual(['ping timeout']);
    expect(h.socket.ended).toBe(1);
    expect(h.clock.pending()).toBe(0);
  });

  test('the wait for an answer is bounded even with a long keepalive', () => {
    const h = start({ keepalive: 1200 }, 0);
    h.clock.advance(1200 * 1000);
    expect(sent(h.socket).at(-1)?.cmd).toBe('pingreq');
    h.clock.advance(30000);
    expect(h.closed).toEqual(['ping timeout']);
  });

  test('any incoming bytes count as an answer', () => {
    const h = start({ keepalive: 10 }, 0);
    h.clock.advance(10000);
    h.socket.emit('data', gen({ cmd: 'puback', messageId: 77 }));
    h.clock.advance(9999);
    expect(h.closed).toEqual([]);
  });

  test('keepalive 0 never pings and leaves no timer', () => {
    const h = start({ keepalive: 0 }, 0);
    expect(h.clock.pending()).toBe(0);
    h.clock.advance(1e7);
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect']);
    expect(h.closed).toEqual([]);
  });
});

describe('closing', () => {
  test('end() sends DISCONNECT, ends the socket, reports closed once, and later calls do nothing', () => {
    const h = start({}, 0);
    h.client.end();
    expect(sent(h.socket).map((p) => p.cmd)).toEqual(['connect', 'disconnect']);
    expect(h.socket.written[1]).toBe(gen({ cmd: 'disconnect' }));
    expect(h.socket.ended).toBe(1);
    expect(h.closed).toEqual(['ended by client']);
    expect(h.clock.pending()).toBe(0);
    h.socket.emit('close');
    h.client.end();
    expect(h.client.publish('t', 'x', 1, false)).toBe(-1);
    expect(h.socket.written).toHaveLength(2);
    expect(h.closed).toHaveLength(1);
  });

  test('the socket closing reports "socket closed" and stops the timer', () => {
    const h = start({ keepalive: 10 }, 0);
    h.socket.emit('close');
    expect(h.closed).toEqual(['socket closed']);
    expect(h.clock.pending()).toBe(0);
  });

  test('close(hadError=false), as Espruino and Node send it, reads as a plain close', () => {
    const h = start({}, 0);
    h.socket.emit('close', false);
    expect(h.closed).toEqual(['socket closed']);
  });

  test('a socket error reports its message once, even when close follows', () => {
    const h = start({}, 0);
    h.socket.emit('error', { message: 'ECONNRESET' });
    h.socket.emit('close');
    h.socket.emit('error', 'again');
    expect(h.closed).toEqual(['socket error: ECONNRESET']);
  });

  test('a string error is reported as that string', () => {
    const h = start();
    h.socket.emit('error', 'Connection refused');
    expect(h.closed).toEqual(['Connection refused']);
  });

  test("Espruino's close(hadError=true) without an error event still reads as a close", () => {
    const h = start({}, 0);
    h.socket.emit('close', true);
    expect(h.closed).toEqual(['socket closed']);
  });

  test('a packet over maxPacket closes with "packet too large" as soon as its header arrives', () => {
    const h = start({ maxPacket: 64 }, 0);
    const big = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(100), qos: 0, retain: false, dup: false });
    h.socket.emit('data', big.substr(0, 2));
    expect(h.closed).toEqual(['packet too large']);
    expect(h.socket.ended).toBe(1);
    h.socket.emit('data', big.substr(2));
    expect(h.closed).toEqual(['packet too large']);
  });

  test('a bad remaining length closes with a malformed reason', () => {
    const h = start({}, 0);
    h.socket.emit('data', '\x30\xff\xff\xff\xff\x01');
    expect(h.closed).toEqual(['malformed remaining length']);
  });

  test('a malformed packet closes with its reason and later packets in the same chunk are ignored', () => {
    const h = start({}, 0);
    h.socket.emit('data', '\x40\x02\x00\x00' + gen({ cmd: 'puback', messageId: 3 }));
    expect(h.closed).toEqual(['malformed PUBACK']);
    expect(h.log).toEqual(['connected false']);
  });

  test('a handler that throws closes the client instead of escaping the data handler', () => {
    const socket = createFakeSocket();
    const closed: string[] = [];
    methods(createMqttClient(socket, createFakeClock(), { clientId: 'x', keepalive: 0, clean: true, maxPacket: 100 }, events({
      connected: () => {
        throw new Error('boom');
      },
      puback: () => {},
      closed: (why) => closed.push(why),
    })));
    expect(() => socket.emit('data', gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }))).not.toThrow();
    expect(closed).toEqual(['error: boom']);
  });

  test('a handler may end the client while a chunk still holds packets', () => {
    const socket = createFakeSocket();
    const seen: string[] = [];
    const client: MqttClient = methods(createMqttClient(socket, createFakeClock(), { clientId: 'x', keepalive: 0, clean: true, maxPacket: 100 }, events({
      connected: () => seen.push('connected'),
      puback: (id) => {
        seen.push(`puback ${id}`);
        if (id === 5) client.end();
      },
      closed: (why) => seen.push(why),
    })));
    socket.emit(
      'data',
      gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }) +
        gen({ cmd: 'puback', messageId: 5 }) +
        gen({ cmd: 'puback', messageId: 1 }),
    );
    // The packet after the one whose handler ended the session is not reported.
    expect(seen).toEqual(['connected', 'puback 5', 'ended by client']);
    expect(socket.written.at(-1)).toBe('\xe0\x00');
  });

  test('a write that throws closes the client', () => {
    const h = start({}, 0);
    h.socket.write = () => {
      throw new Error('not connected');
    };
    h.client.publish('t', 'x', 0, false);
    expect(h.closed).toEqual(['socket error: write failed']);
  });
});
