// Every packet the client sends matches mqtt-packet (the reference encoder aedes and MQTT.js use) byte
// for byte. CONNECT comes from its builder; the rest the session builds inline, so they are captured from it.
import { generate, type Packet } from 'mqtt-packet';
import { connectPacket, field, frame, u16 } from '../../firmware/core/mqtt/encode';
import { createMqttClient, type MqttClient } from '../../firmware/core/mqtt/client';
import { utf8 } from '../../firmware/core/mqtt/utf8';
import type { MqttOptions } from '../../firmware/core/mqtt/types';
import type { Socket } from '../../firmware/ports';
import { createFakeClock } from '../support/fake-clock';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const ref = (p: Packet) => generate(p).toString('latin1');
const refHex = (p: Packet) => hex(ref(p));
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i & 255)).toString('latin1');

/** What a connected client writes (after its CONNECT) while `run` drives it; `reply` feeds it broker bytes. */
function writes(run: (c: MqttClient, reply: (d: string) => void) => void): string[] {
  const written: string[] = [];
  const on: Record<string, (a?: unknown) => void> = {};
  const socket = { write: (d: string) => written.push(d), end: () => {}, on: (e: string, fn: (a?: unknown) => void) => (on[e] = fn) } as unknown as Socket;
  const noop = () => {};
  const c = createMqttClient(socket, createFakeClock(), { clientId: 'x', keepalive: 0, clean: true, maxPacket: 1 << 20 }, { connected: noop, message: noop, puback: noop, suback: noop, closed: noop });
  on.data(ref({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
  run(c, (d) => on.data(d));
  return written.slice(1);
}

/** The bytes of one PUBLISH from the client, with packet id `id` for QoS 1 (ids count from 1). */
function published(topic: string, payload: string, qos: 0 | 1, retain: boolean, id = 1): string {
  return writes((c) => {
    for (let i = 1; i < id; i++) c.publish('t', '', 1, false);
    c.publish(topic, payload, qos, retain);
  }).at(-1)!;
}

const base: MqttOptions = { clientId: 'button-01', keepalive: 60, clean: true, maxPacket: 1024 };
const refConnect = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4 } as const;

describe('CONNECT', () => {
  test('minimal: client id, keepalive, clean session', () => {
    expect(hex(connectPacket(base))).toBe(refHex({ ...refConnect, clientId: 'button-01', keepalive: 60, clean: true }));
  });

  test('persistent session and keepalive 0', () => {
    const o = { ...base, clean: false, keepalive: 0 };
    expect(hex(connectPacket(o))).toBe(refHex({ ...refConnect, clientId: 'button-01', keepalive: 0, clean: false }));
  });

  test('keepalive above 255 uses both bytes', () => {
    const o = { ...base, keepalive: 1200 };
    expect(hex(connectPacket(o))).toBe(refHex({ ...refConnect, clientId: 'button-01', keepalive: 1200, clean: true }));
  });

  test('user name and password', () => {
    const o = { ...base, username: 'user', password: 'p\x00ss\xff' };
    expect(hex(connectPacket(o))).toBe(
      refHex({ ...refConnect, clientId: 'button-01', keepalive: 60, clean: true, username: 'user', password: Buffer.from('p\x00ss\xff', 'latin1') }),
    );
  });

  test('user name without password', () => {
    const o = { ...base, username: 'user' };
    expect(hex(connectPacket(o))).toBe(refHex({ ...refConnect, clientId: 'button-01', keepalive: 60, clean: true, username: 'user' }));
  });

  test('a password alone goes with an empty user name, since 3.1.1 forbids it without one', () => {
    const o = { ...base, password: 'secret' };
    expect(hex(connectPacket(o))).toBe(
      refHex({ ...refConnect, clientId: 'button-01', keepalive: 60, clean: true, username: '', password: Buffer.from('secret') }),
    );
  });

  test.each([
    [0, false],
    [1, false],
    [0, true],
    [1, true],
  ] as const)('will with QoS %i, retain %s', (qos, retain) => {
    const will = { topic: 'devices/button-01/status', payload: '{"online":false}', qos, retain };
    const o = { ...base, will, username: 'u', password: 'p' };
    expect(hex(connectPacket(o))).toBe(
      refHex({
        ...refConnect,
        clientId: 'button-01',
        keepalive: 60,
        clean: true,
        username: 'u',
        password: Buffer.from('p'),
        will: { topic: will.topic, payload: Buffer.from(will.payload), qos, retain },
      }),
    );
  });

  test('will payload is sent as raw bytes', () => {
    const will = { topic: 't', payload: bytes(256), qos: 0 as const, retain: false };
    expect(hex(connectPacket({ ...base, will }))).toBe(
      refHex({ ...refConnect, clientId: 'button-01', keepalive: 60, clean: true, will: { topic: 't', payload: Buffer.from(will.payload, 'latin1'), qos: 0, retain: false } }),
    );
  });

  test('non-ASCII client id is sent as UTF-8 with a byte-length prefix', () => {
    const id = 'knöpf-☃-😀';
    expect(hex(connectPacket({ ...base, clientId: id }))).toBe(refHex({ ...refConnect, clientId: id, keepalive: 60, clean: true }));
  });

  test('empty client id (clean session only)', () => {
    expect(hex(connectPacket({ ...base, clientId: '' }))).toBe(refHex({ ...refConnect, clientId: '', keepalive: 60, clean: true }));
  });
});

describe('PUBLISH', () => {
  test.each([
    [0, false],
    [0, true],
    [1, false],
    [1, true],
  ] as const)('QoS %i retain %s', (qos, retain) => {
    const got = published('devices/button-01/press', '{"n":1}', qos, retain, 513);
    const want = ref({ cmd: 'publish', topic: 'devices/button-01/press', payload: Buffer.from('{"n":1}'), qos, retain, dup: false, messageId: qos ? 513 : undefined });
    expect(hex(got)).toBe(hex(want));
  });

  test('binary payload of every byte value goes through unchanged', () => {
    const p = bytes(256);
    expect(hex(published('t', p, 1, false))).toBe(refHex({ cmd: 'publish', topic: 't', payload: Buffer.from(p, 'latin1'), qos: 1, messageId: 1, retain: false, dup: false }));
  });

  test('empty payload', () => {
    expect(hex(published('t', '', 0, true))).toBe(refHex({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 0, retain: true, dup: false }));
  });

  test('non-ASCII topic is UTF-8 encoded', () => {
    const topic = 'devices/b/ä€😀';
    expect(hex(published(topic, 'x', 0, false))).toBe(refHex({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false }));
  });

  // Remaining Length = 2 + 1 (topic) + payload: 124 is the last 1-byte length, 16380 the last 2-byte one.
  test.each([124, 125, 16380, 16381, 70000])('payload of %i bytes gets the right remaining length', (n) => {
    const p = bytes(n);
    expect(hex(published('t', p, 0, false))).toBe(refHex({ cmd: 'publish', topic: 't', payload: Buffer.from(p, 'latin1'), qos: 0, retain: false, dup: false }));
  });

  test('packet id 65535 is encoded big-endian', () => {
    expect(hex(published('t', '', 1, false, 65535))).toBe(refHex({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 1, messageId: 65535, retain: false, dup: false }));
  });
});

describe('PUBACK, SUBSCRIBE, PINGREQ, DISCONNECT', () => {
  test.each([1, 255, 256, 65535])('PUBACK for id %i', (id) => {
    const sent = writes((_c, reply) => reply(ref({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 1, messageId: id, retain: false, dup: false })));
    expect(sent.map(hex)).toEqual([refHex({ cmd: 'puback', messageId: id })]);
  });

  test.each([0, 1] as const)('SUBSCRIBE with QoS %i', (qos) => {
    const sent = writes((c) => c.subscribe('devices/button-01/cmd/#', qos));
    expect(sent.map(hex)).toEqual([refHex({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'devices/button-01/cmd/#', qos }] })]);
  });

  test('SUBSCRIBE to a non-ASCII filter, with a two-byte packet id', () => {
    const sent = writes((c) => {
      for (let i = 0; i < 299; i++) c.publish('t', '', 1, false);
      c.subscribe('a/ü/+', 1);
    });
    expect(hex(sent.at(-1)!)).toBe(refHex({ cmd: 'subscribe', messageId: 300, subscriptions: [{ topic: 'a/ü/+', qos: 1 }] }));
  });

  test('DISCONNECT', () => {
    expect(writes((c) => c.end()).map(hex)).toEqual([refHex({ cmd: 'disconnect' })]);
  });

  test('PINGREQ', () => {
    const written: string[] = [];
    const on: Record<string, (a?: unknown) => void> = {};
    const socket = { write: (d: string) => written.push(d), end: () => {}, on: (e: string, fn: (a?: unknown) => void) => (on[e] = fn) } as unknown as Socket;
    const clock = createFakeClock();
    const noop = () => {};
    createMqttClient(socket, clock, { clientId: 'x', keepalive: 5, clean: true, maxPacket: 100 }, { connected: noop, message: noop, puback: noop, suback: noop, closed: noop });
    on.data(ref({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    clock.advance(5000);
    expect(written.slice(1).map(hex)).toEqual([refHex({ cmd: 'pingreq' })]);
  });
});

describe('building blocks', () => {
  test('u16 is big-endian', () => {
    expect(hex(u16(0))).toBe('0000');
    expect(hex(u16(258))).toBe('0102');
    expect(hex(u16(65535))).toBe('ffff');
  });

  test('a string field is UTF-8 with a byte-length prefix; a byte field is taken as is', () => {
    expect(hex(field('é'))).toBe('0002c3a9');
    expect(hex(field('\xe9', true))).toBe('0001e9');
    expect(hex(field(''))).toBe('0000');
  });
});

describe('remaining length', () => {
  // The boundaries from the table in [MQTT-2.2.3].
  test.each([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2097151, 'ffff7f'],
    [2097152, '80808001'],
    [268435455, 'ffffff7f'],
  ])('%i encodes as %s', (n, want) => {
    // Checked through the framing function, on a body of that many bytes.
    const header = frame(0x30, 'x'.repeat(n)).substr(0, 1 + want.length / 2);
    expect(hex(header)).toBe('30' + want);
  });
});

describe('utf8', () => {
  test.each(['', 'ascii only', 'é', 'ß/ü', '€', '☃ snow', '😀', 'a😀b€c', '\u07ff\u0800\uffff'])('%j matches Buffer utf8', (s) => {
    expect(hex(utf8(s))).toBe(Buffer.from(s, 'utf8').toString('hex'));
  });

  test('returns an ASCII string unchanged', () => {
    const s = 'devices/button-01/press';
    expect(utf8(s)).toBe(s);
  });

  test('a lone surrogate becomes U+FFFD, as MQTT forbids encoded surrogates', () => {
    expect(hex(utf8('a\ud800b'))).toBe('61efbfbd62');
    expect(hex(utf8('\udc00'))).toBe('efbfbd');
    expect(hex(utf8('x\ud83d'))).toBe('78efbfbd');
  });
});
