// Every packet the client sends matches mqtt-packet (the reference encoder aedes and MQTT.js use) byte
// for byte. CONNECT comes from its builder; the rest the session builds inline, so they are captured from it.
// Text is given as the device holds it: UTF-8 bytes, one per char (its builds have no Unicode support).
import { generate, type Packet } from 'mqtt-packet';
import { connectPacket, field, frame } from '../../firmware/core/mqtt/encode';
import { createMqttClient } from '../../firmware/core/mqtt/client';
import { events, methods, type ClientMethods as MqttClient } from '../../firmware/core/mqtt/views';
import type { MqttOptions } from '../../firmware/core/mqtt/types';
import type { Socket } from '../../firmware/ports';
import { createFakeClock } from '../support/fake-clock';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const ref = (p: Packet) => generate(p).toString('latin1');
const refHex = (p: Packet) => hex(ref(p));
/** A string as the device holds it (no Unicode support on ESP8266/ESP32 builds): its UTF-8 bytes, one per char. */
const dev = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i & 255)).toString('latin1');

/** What a connected client writes (after its CONNECT) while `run` drives it; `reply` feeds it broker bytes. */
function writes(run: (c: MqttClient, reply: (d: string) => void) => void): string[] {
  const written: string[] = [];
  const on: Record<string, (a?: unknown) => void> = {};
  const socket = { write: (d: string) => written.push(d), end: () => {}, on: (e: string, fn: (a?: unknown) => void) => (on[e] = fn) } as unknown as Socket;
  const noop = () => {};
  const c = methods(createMqttClient(socket, createFakeClock(), { clientId: 'x', keepalive: 0, clean: true, maxPacket: 1 << 20 }, events({ connected: noop, puback: noop, closed: noop })));
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

  test('non-ASCII client id goes out as the UTF-8 bytes the device holds, with a byte-length prefix', () => {
    const id = 'knöpf-☃-😀';
    expect(hex(connectPacket({ ...base, clientId: dev(id) }))).toBe(refHex({ ...refConnect, clientId: id, keepalive: 60, clean: true }));
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

  test('non-ASCII topic goes out as the UTF-8 bytes the device holds', () => {
    const topic = 'devices/b/ä€😀';
    expect(hex(published(dev(topic), 'x', 0, false))).toBe(refHex({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false }));
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

describe('PINGREQ, DISCONNECT', () => {
  test('DISCONNECT', () => {
    expect(writes((c) => c.end()).map(hex)).toEqual([refHex({ cmd: 'disconnect' })]);
  });

  test('PINGREQ', () => {
    const written: string[] = [];
    const on: Record<string, (a?: unknown) => void> = {};
    const socket = { write: (d: string) => written.push(d), end: () => {}, on: (e: string, fn: (a?: unknown) => void) => (on[e] = fn) } as unknown as Socket;
    const clock = createFakeClock();
    const noop = () => {};
    methods(createMqttClient(socket, clock, { clientId: 'x', keepalive: 5, clean: true, maxPacket: 100 }, events({ connected: noop, puback: noop, closed: noop })));
    on.data(ref({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    clock.advance(5000);
    expect(written.slice(1).map(hex)).toEqual([refHex({ cmd: 'pingreq' })]);
  });
});

describe('building blocks', () => {
  test('the length prefix is big-endian', () => {
    expect(hex(field(''))).toBe('0000');
    expect(hex(field('x'.repeat(258)).substr(0, 2))).toBe('0102');
    expect(hex(field('x'.repeat(65535)).substr(0, 2))).toBe('ffff');
  });

  test('a field is its bytes unchanged after a byte-length prefix (the device holds text as UTF-8 bytes)', () => {
    expect(hex(field(dev('é')))).toBe('0002c3a9');
    expect(hex(field('\xe9\x00\xff'))).toBe('0003e900ff');
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
