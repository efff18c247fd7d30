// The decoder frames packets split at any byte or joined together, reads what mqtt-packet writes,
// and turns every malformed input, and every packet a client cannot be sent, into a "malformed ..."
// reason instead of throwing.
import { generate, type Packet } from 'mqtt-packet';
import { readPacket, type MqttPacket } from '../../firmware/core/mqtt/decode';

const gen = (p: Packet) => generate(p).toString('latin1');
const raw = (...b: number[]) => Buffer.from(b).toString('latin1');

const connack = gen({ cmd: 'connack', returnCode: 0, sessionPresent: true });
const puback = gen({ cmd: 'puback', messageId: 7 });
const pingresp = gen({ cmd: 'pingresp' });
const puback2 = gen({ cmd: 'puback', messageId: 65535 });
/** A packet with a two-byte Remaining Length: framing does not care what type it is. */
const big = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(300, 0x41), qos: 0, retain: false, dup: false });
const stream = [connack, puback, pingresp, puback2];

/** The session's framing loop, reduced to what decode promises: packets out, in order, as soon as complete. */
function feed(chunks: string[], max = 1 << 20): (MqttPacket | string)[] {
  let buf = '';
  const out: (MqttPacket | string)[] = [];
  for (const c of chunks) {
    buf += c;
    for (;;) {
      const k = readPacket(buf, max);
      if (!k) break;
      out.push(k);
      if (typeof k === 'string') break;
      buf = buf.substr(k.n);
    }
  }
  return out;
}

/** Bytes a complete packet took, 0 while incomplete, or the reason it was refused. */
const length = (p: string, max: number) => {
  const k = readPacket(p, max);
  return typeof k === 'object' ? k.n : k;
};

const parsed = (p: string) => {
  const k = readPacket(p, p.length);
  if (typeof k !== 'object') throw new Error(`not a packet: ${k}`);
  expect(k.n).toBe(p.length);
  return k;
};

describe('framing', () => {
  test('every strict prefix of every packet asks for more bytes', () => {
    for (const p of stream) {
      for (let i = 0; i < p.length; i++) expect(length(p.substr(0, i), 1 << 20)).toBe(0);
      expect(length(p, 1 << 20)).toBe(p.length);
    }
  });

  test('a stream split into two at every byte offset yields the same packets', () => {
    const all = stream.join('');
    const whole = feed([all]);
    expect(whole).toHaveLength(stream.length);
    for (let i = 0; i <= all.length; i++) expect(feed([all.substr(0, i), all.substr(i)])).toEqual(whole);
  });

  test('a stream delivered one byte at a time yields the same packets', () => {
    const all = stream.join('');
    expect(feed(all.split(''))).toEqual(feed([all]));
  });

  test('several packets joined in one chunk come out one by one, in order', () => {
    const types = feed([stream.join('')]).map((k) => (k as MqttPacket).type);
    expect(types).toEqual([2, 4, 13, 4]);
  });

  test('a Remaining Length with a fifth byte is malformed', () => {
    expect(length(raw(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 1 << 30)).toBe('malformed remaining length');
    expect(length(raw(0x30, 0x80, 0x80, 0x80, 0x80), 1 << 30)).toBe('malformed remaining length');
  });

  test('the largest 4-byte Remaining Length is valid (and waits for its bytes)', () => {
    expect(length(raw(0x30, 0xff, 0xff, 0xff, 0x7f), 1 << 30)).toBe(0);
  });

  test('a packet over the limit is refused from its header alone, before its body arrives', () => {
    expect(length(big.substr(0, 3), 100)).toBe('packet too large');
    // At the limit it is framed whole, and read.
    expect(readPacket(big, big.length)).toMatchObject({ type: 3, n: big.length, topic: 't', qos: 0 });
    expect(length(big, big.length - 1)).toBe('packet too large');
  });
});

describe('reading what a broker sends', () => {
  test('CONNACK accepted, with and without a session', () => {
    expect(parsed(connack)).toMatchObject({ type: 2, code: 0, sp: true });
    expect(parsed(gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }))).toMatchObject({ type: 2, code: 0, sp: false });
  });

  test.each([1, 2, 3, 4, 5])('CONNACK refused with code %i', (code) => {
    expect(parsed(gen({ cmd: 'connack', returnCode: code, sessionPresent: false }))).toMatchObject({ type: 2, code, sp: false });
  });

  test('PUBLISH QoS 0: topic and payload bytes, no packet id', () => {
    const p = gen({ cmd: 'publish', topic: 'devices/b1/cmd', payload: Buffer.from('hello'), qos: 0, retain: false, dup: false });
    expect(parsed(p)).toEqual({ n: p.length, type: 3, id: 0, qos: 0, topic: 'devices/b1/cmd', payload: 'hello' });
  });

  test('PUBLISH QoS 1 with its packet id; retain and dup do not matter; any payload bytes, or none', () => {
    const p = gen({ cmd: 'publish', topic: 'a', payload: Buffer.from([0, 255, 10]), qos: 1, messageId: 258, retain: true, dup: true });
    expect(parsed(p)).toMatchObject({ type: 3, id: 258, qos: 1, topic: 'a', payload: '\x00\xff\n' });
    expect(parsed(gen({ cmd: 'publish', topic: 'x/y', payload: Buffer.alloc(0), qos: 1, messageId: 65535, retain: false, dup: false })))
      .toMatchObject({ id: 65535, topic: 'x/y', payload: '' });
  });

  test('PUBLISH with a UTF-8 topic keeps its bytes (the device has no Unicode strings)', () => {
    const p = gen({ cmd: 'publish', topic: 'é/ü', payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    expect(parsed(p)).toMatchObject({ topic: Buffer.from('é/ü').toString('latin1') });
  });

  test('SUBACK: the QoS granted, or 0x80 for a refusal', () => {
    expect(parsed(gen({ cmd: 'suback', messageId: 9, granted: [1] }))).toMatchObject({ type: 9, id: 9, code: 1 });
    expect(parsed(gen({ cmd: 'suback', messageId: 10, granted: [0] }))).toMatchObject({ type: 9, id: 10, code: 0 });
    expect(parsed(gen({ cmd: 'suback', messageId: 11, granted: [128] }))).toMatchObject({ type: 9, id: 11, code: 128 });
  });

  test('PUBACK and PINGRESP', () => {
    expect(parsed(puback)).toMatchObject({ type: 4, id: 7 });
    expect(parsed(puback2)).toMatchObject({ type: 4, id: 65535 });
    expect(parsed(pingresp)).toMatchObject({ type: 13 });
  });
});

describe('malformed packets are reported, never thrown', () => {
  test.each([
    ['reserved type 0', raw(0x00, 0x00)],
    ['reserved type 15', raw(0xf0, 0x00)],
    ['CONNECT from a server', raw(0x10, 0x00)],
    ['PUBREC (no QoS 2 here)', raw(0x50, 0x02, 0x00, 0x01)],
    ['PUBREL', raw(0x62, 0x02, 0x00, 0x01)],
    ['PUBCOMP', raw(0x70, 0x02, 0x00, 0x01)],
    ['SUBSCRIBE from a server', raw(0x82, 0x00)],
    ['PUBLISH QoS 2 (never asked for) [MQTT-3.8.4-6]', gen({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 2, messageId: 5, retain: false, dup: false })],
    ['PUBLISH QoS 3 [MQTT-3.3.1-4]', raw(0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01)],
    ['PUBLISH QoS 1 with packet id 0', raw(0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00)],
    ['PUBLISH with an empty topic [MQTT-4.7.3-1]', raw(0x30, 0x03, 0x00, 0x00, 0x61)],
    ['PUBLISH with no room for its topic length', raw(0x30, 0x01, 0x00)],
    ['PUBLISH with an empty body', raw(0x30, 0x00)],
    ['PUBLISH whose topic runs past its end', raw(0x30, 0x04, 0x00, 0x05, 0x61, 0x62)],
    ['PUBLISH QoS 1 with no room for its packet id', raw(0x32, 0x04, 0x00, 0x01, 0x61, 0x00)],
    ['SUBACK with two return codes (one topic per SUBSCRIBE here)', gen({ cmd: 'suback', messageId: 9, granted: [0, 1] })],
    ['SUBACK granting QoS 2 (never asked for)', gen({ cmd: 'suback', messageId: 9, granted: [2] })],
    ['SUBACK with an unknown return code', raw(0x90, 0x03, 0x00, 0x01, 0x03)],
    ['SUBACK with packet id 0', raw(0x90, 0x03, 0x00, 0x00, 0x00)],
    ['SUBACK with no return code', raw(0x90, 0x02, 0x00, 0x01)],
    ['UNSUBACK (we never unsubscribe)', raw(0xb0, 0x02, 0x00, 0x01)],
    ['PINGREQ from a server', raw(0xc0, 0x00)],
    ['DISCONNECT from a server', raw(0xe0, 0x00)],
    ['CONNACK with flags', raw(0x21, 0x02, 0x00, 0x00)],
    ['PUBACK with flags', raw(0x42, 0x02, 0x00, 0x01)],
    ['SUBACK with flags', raw(0x92, 0x03, 0x00, 0x01, 0x00)],
    ['PINGRESP with flags', raw(0xd1, 0x00)],
    ['CONNACK too short', raw(0x20, 0x01, 0x00)],
    ['CONNACK too long', raw(0x20, 0x03, 0x00, 0x00, 0x00)],
    ['CONNACK reserved bits set', raw(0x20, 0x02, 0x02, 0x00)],
    ['CONNACK refusal with session present', raw(0x20, 0x02, 0x01, 0x05)],
    ['PUBACK too short', raw(0x40, 0x01, 0x00)],
    ['PUBACK too long', raw(0x40, 0x03, 0x00, 0x01, 0x00)],
    ['PUBACK with packet id 0', raw(0x40, 0x02, 0x00, 0x00)],
    ['PINGRESP with a body', raw(0xd0, 0x01, 0x00)],
  ])('%s', (_name, p) => {
    // Framed fine (one byte less is merely incomplete), so the refusal is about its content.
    expect(readPacket(p.substr(0, p.length - 1), 1000)).toBe(0);
    const k = readPacket(p, 1000);
    expect(typeof k).toBe('string');
    expect(k).toMatch(/^malformed (CONNACK|PUBLISH|PUBACK|SUBACK|PINGRESP|packet)$/);
    expect(k).toMatch(/^malformed /);
  });
});
