// Splits incoming bytes into MQTT 3.1.1 packets and reads the ones a client can receive.
// It holds no buffer or state itself (the session keeps one string); it never throws on bad input.
// One function and two-byte fields read inline: each function object costs device RAM.
import { Packet, type MqttPacket } from './types';

export type { MqttPacket } from './types';

/**
 * Reads the first packet in `buf`: 0 while it is incomplete; a reason starting "malformed" when it
 * is not valid (or "packet too large" as soon as the header says it is over `max` bytes, so nothing
 * bigger is buffered); else the packet, whose `n` is how many bytes of `buf` it took.
 */
export function readPacket(buf: string, max: number): MqttPacket | string | 0 {
  // Remaining Length: 7 bits a byte, at most 4 bytes [MQTT-2.2.3].
  let len = 0;
  let mul = 1;
  let o = 1;
  for (;;) {
    if (o >= buf.length) return 0;
    const b = buf.charCodeAt(o++);
    len += (b & 127) * mul;
    if (!(b & 128)) break;
    if (o === 5) return 'malformed remaining length';
    mul *= 128;
  }
  const end = o + len;
  if (end > max) return 'packet too large';
  if (buf.length < end) return 0;
  const p = buf.substr(0, end);
  const type = p.charCodeAt(0) >> 4;
  const flags = p.charCodeAt(0) & 15;
  const b = p.charCodeAt(o);
  const id = (b << 8) | p.charCodeAt(o + 1);
  // Each type gets only its own fields.
  const k = { n: end, type: type, id: id } as MqttPacket;
  // [MQTT-2.2.2-2]: flags other than PUBLISH's are fixed, and 0 for every type a server sends.
  let ok = !flags;
  if (type === Packet.Publish) {
    // PUBLISH [MQTT-3.3]: topic, a packet id only for QoS > 0 (never 0), then the payload. QoS 2
    // comes only to a client that asked for it [MQTT-3.8.4-6], and this one never does; QoS 3 is
    // malformed [MQTT-3.3.1-4]. `id` read the topic's length here.
    const q = (flags >> 1) & 3;
    const t = o + 2 + id; // where the packet id or the payload starts
    k.qos = q;
    k.topic = p.substr(o + 2, id);
    k.id = q ? (p.charCodeAt(t) << 8) | p.charCodeAt(t + 1) : 0;
    k.payload = p.substr(q ? t + 2 : t);
    ok = q < 2 && id > 0 && t + (q ? 2 : 0) <= end && !(q && !k.id); // a topic name is never empty [MQTT-4.7.3-1]
  } else if (type === Packet.Connack) {
    // CONNACK [MQTT-3.2]: reserved bits of the first byte are 0; a refusal has session present 0 [MQTT-3.2.2-4].
    k.id = 0;
    k.sp = b === 1;
    k.code = p.charCodeAt(o + 1);
    ok = ok && len === 2 && b < 2 && !(k.sp && k.code);
  } else if (type === Packet.Puback) ok = ok && len === 2 && id > 0; // [MQTT-3.4]
  else if (type === Packet.Suback) {
    // SUBACK [MQTT-3.9]: one return code, as every SUBSCRIBE here names one topic: the QoS granted
    // (at most the 1 asked for) or 0x80, failure.
    k.code = p.charCodeAt(o + 2);
    ok = ok && len === 3 && id > 0 && (k.code < 2 || k.code === 128);
  } else if (type === Packet.Pingresp) ok = ok && !len; // [MQTT-3.13]
  // 0 and 15 are reserved; the others are packets only a client sends, or replies to what we never
  // send (UNSUBSCRIBE, QoS 2).
  else ok = false;
  return ok ? k : 'malformed ' + (({ 2: 'CONNACK', 3: 'PUBLISH', 4: 'PUBACK', 9: 'SUBACK', 13: 'PINGRESP' } as any)[type] || 'packet');
}
