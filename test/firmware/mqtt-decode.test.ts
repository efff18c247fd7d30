// The decoder frames packets split at any byte or joined together, reads what mqtt-packet writes,
// and turns every malformed input into a "malformed ..." reason instead of throwing.
import { generate, type Packet } from 'mqtt-packet';
import { packetLength, parsePacket, type MqttPacket } from '../../firmware/core/mqtt/decode';

const gen = (p: Packet) => generate(p).toString('latin1');
const raw = (...b: number[]) => Buffer.from(b).toString('latin1');

const connack = gen({ cmd: 'connack', returnCode: 0, sessionPresent: true });
const publish0 = gen({ cmd: 'publish', topic: 'devices/b1/cmd', payload: Buffer.from('hello'), qos: 0, retain: false, dup: false });
const publish1 = gen({ cmd: 'publish', topic: 'devices/b1/cmd', payload: Buffer.from([0, 1, 255, 128]), qos: 1, messageId: 258, retain: true, dup: true });
const puback = gen({ cmd: 'puback', messageId: 7 });
const suback = gen({ cmd: 'suback', messageId: 9, granted: [0, 1, 2, 128] });
const pingresp = gen({ cmd: 'pingresp' });
const big = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(300, 0x41), qos: 0, retain: false, dup: false });
const stream = [connack, publish0, publish1, puback, suback, pingresp, big];

/** The session's framing loop, reduced to what decode promises: packets out, in order, as soon as complete. */
function feed(chunks: string[], max = 1 << 20): (MqttPacket | string | number)[] {
  let buf = '';
  const out: (MqttPacket | string | number)[] = [];
  for (const c of chunks) {
    buf += c;
    for (;;) {
      const n = packetLength(buf, max);
      if (n < 0) out.push(n);
      if (n <= 0) break;
      out.push(parsePacket(buf.substr(0, n)));
      buf = buf.substr(n);
    }
  }
  return out;
}

const parsed = (p: string) => {
  const k = parsePacket(p);
  if (typeof k === 'string') throw new Error(k);
  return k;
};

describe('framing', () => {
  test('every strict prefix of every packet asks for more bytes', () => {
    for (const p of stream) {
      for (let i = 0; i < p.length; i++) expect(packetLength(p.substr(0, i), 1 << 20)).toBe(0);
      expect(packetLength(p, 1 << 20)).toBe(p.length);
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
    expect(types).toEqual([2, 3, 3, 4, 9, 13, 3]);
  });

  test('a Remaining Length with a fifth byte is malformed', () => {
    expect(packetLength(raw(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 1 << 30)).toBe(-1);
    expect(packetLength(raw(0x30, 0x80, 0x80, 0x80, 0x80), 1 << 30)).toBe(-1);
  });

  test('the largest 4-byte Remaining Length is valid (and waits for its bytes)', () => {
    expect(packetLength(raw(0x30, 0xff, 0xff, 0xff, 0x7f), 1 << 30)).toBe(0);
  });

  test('a packet over the limit is refused from its header alone, before its body arrives', () => {
    expect(packetLength(big.substr(0, 3), 100)).toBe(-2);
    expect(packetLength(big, big.length)).toBe(big.length);
    expect(packetLength(big, big.length - 1)).toBe(-2);
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

  test('PUBLISH QoS 0', () => {
    expect(parsed(publish0)).toMatchObject({ type: 3, topic: 'devices/b1/cmd', payload: 'hello', qos: 0, retain: false, dup: false, id: 0 });
  });

  test('PUBLISH QoS 1 with id, retain, dup and binary payload', () => {
    expect(parsed(publish1)).toMatchObject({ type: 3, topic: 'devices/b1/cmd', payload: raw(0, 1, 255, 128), qos: 1, retain: true, dup: true, id: 258 });
  });

  test('PUBLISH with an empty payload', () => {
    expect(parsed(gen({ cmd: 'publish', topic: 'a', payload: Buffer.alloc(0), qos: 1, messageId: 1, retain: false, dup: false }))).toMatchObject({ payload: '', id: 1 });
  });

  test('a non-ASCII topic arrives as its UTF-8 bytes', () => {
    const k = parsed(gen({ cmd: 'publish', topic: 'a/ü☃', payload: Buffer.from('x'), qos: 0, retain: false, dup: false }));
    expect(k.topic).toBe(Buffer.from('a/ü☃', 'utf8').toString('latin1'));
  });

  test('PUBACK, SUBACK with a failure code, PINGRESP', () => {
    expect(parsed(puback)).toMatchObject({ type: 4, id: 7 });
    expect(parsed(suback)).toMatchObject({ type: 9, id: 9, granted: [0, 1, 2, 128] });
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
    ['UNSUBACK (we never unsubscribe)', raw(0xb0, 0x02, 0x00, 0x01)],
    ['PINGREQ from a server', raw(0xc0, 0x00)],
    ['DISCONNECT from a server', raw(0xe0, 0x00)],
    ['CONNACK with flags', raw(0x21, 0x02, 0x00, 0x00)],
    ['PUBACK with flags', raw(0x42, 0x02, 0x00, 0x01)],
    ['SUBACK with flags', raw(0x92, 0x03, 0x00, 0x01, 0x00)],
    ['PINGRESP with flags', raw(0xd1, 0x00)],
    ['PUBLISH QoS 3', raw(0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01)],
    ['PUBLISH QoS 0 with DUP', raw(0x38, 0x03, 0x00, 0x01, 0x61)],
    ['PUBLISH QoS 2 (never granted)', raw(0x34, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01)],
    ['PUBLISH shorter than its topic length', raw(0x30, 0x03, 0x00, 0x05, 0x61)],
    ['PUBLISH without a topic length', raw(0x30, 0x01, 0x00)],
    ['PUBLISH with an empty topic', raw(0x30, 0x02, 0x00, 0x00)],
    ['PUBLISH QoS 1 without a packet id', raw(0x32, 0x03, 0x00, 0x01, 0x61)],
    ['PUBLISH QoS 1 with packet id 0', raw(0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00)],
    ['PUBLISH to a wildcard topic', raw(0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23)],
    ['PUBLISH to a + topic', raw(0x30, 0x03, 0x00, 0x01, 0x2b)],
    ['CONNACK too short', raw(0x20, 0x01, 0x00)],
    ['CONNACK too long', raw(0x20, 0x03, 0x00, 0x00, 0x00)],
    ['CONNACK reserved bits set', raw(0x20, 0x02, 0x02, 0x00)],
    ['CONNACK refusal with session present', raw(0x20, 0x02, 0x01, 0x05)],
    ['PUBACK too short', raw(0x40, 0x01, 0x00)],
    ['PUBACK too long', raw(0x40, 0x03, 0x00, 0x01, 0x00)],
    ['PUBACK with packet id 0', raw(0x40, 0x02, 0x00, 0x00)],
    ['SUBACK without return codes', raw(0x90, 0x02, 0x00, 0x01)],
    ['SUBACK with return code 3', raw(0x90, 0x03, 0x00, 0x01, 0x03)],
    ['SUBACK with packet id 0', raw(0x90, 0x03, 0x00, 0x00, 0x00)],
    ['PINGRESP with a body', raw(0xd0, 0x01, 0x00)],
  ])('%s', (_name, p) => {
    expect(packetLength(p, 1000)).toBe(p.length);
    const k = parsePacket(p);
    expect(typeof k).toBe('string');
    expect(k).toMatch(/^malformed /);
  });
});
