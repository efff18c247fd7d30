// Splits incoming bytes into MQTT 3.1.1 packets and reads the ones a client can receive.
// It holds no buffer or state itself (the session keeps one string); it never throws on bad input.
// Two-byte fields are read inline: a helper would be one more function object in device RAM.

/** A packet from the broker. Only the fields of its type are meaningful; the rest keep their zero values. */
export interface MqttPacket {
  /** 2 CONNACK, 3 PUBLISH, 4 PUBACK, 9 SUBACK, 13 PINGRESP */
  type: number;
  id: number;
  /** CONNACK return code */
  code: number;
  /** CONNACK session present */
  sp: boolean;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  granted: number[];
}

/**
 * How many bytes the first packet in `buf` spans once complete: > 0 when it is all there,
 * 0 when more bytes are needed, -1 for a Remaining Length longer than 4 bytes [MQTT-2.2.3],
 * -2 as soon as the header says the packet is larger than `max` (so nothing bigger is buffered).
 */
export function packetLength(buf: string, max: number): number {
  let n = 0;
  let mul = 1;
  let i = 1;
  for (;;) {
    if (i >= buf.length) return 0;
    const b = buf.charCodeAt(i++);
    n += (b & 127) * mul;
    if (!(b & 128)) break;
    if (i === 5) return -1;
    mul *= 128;
  }
  n += i;
  if (n > max) return -2;
  return buf.length >= n ? n : 0;
}

/** Reads one complete packet (as framed by packetLength). Returns a reason starting "malformed" when it is not valid. */
export function parsePacket(p: string): MqttPacket | string {
  const first = p.charCodeAt(0);
  const type = first >> 4;
  const flags = first & 15;
  let o = 1;
  while (p.charCodeAt(o++) & 128);
  const n = p.length - o;
  const k: MqttPacket = { type: type, id: 0, code: 0, sp: false, topic: '', payload: '', qos: 0, retain: false, dup: false, granted: [] };
  // [MQTT-2.2.2-2]: flags other than PUBLISH's are fixed, and 0 for every type a server sends.
  if (type !== 3 && flags) return 'malformed packet (flags)';
  switch (type) {
    case 2: // CONNACK [MQTT-3.2]: reserved bits of the first byte are 0; a refusal has session present 0 [MQTT-3.2.2-4].
      if (n !== 2 || p.charCodeAt(o) > 1) return 'malformed CONNACK';
      k.sp = p.charCodeAt(o) === 1;
      k.code = p.charCodeAt(o + 1);
      if (k.sp && k.code) return 'malformed CONNACK';
      return k;
    case 3: {
      // PUBLISH [MQTT-3.3]
      k.qos = (flags >> 1) & 3;
      k.dup = (flags & 8) > 0;
      k.retain = (flags & 1) > 0;
      if (k.qos === 3 || (k.qos === 0 && k.dup)) return 'malformed PUBLISH (flags)'; // [MQTT-3.3.1-4], [MQTT-3.3.1-2]
      // We only subscribe with QoS 0/1, so a QoS 2 delivery breaks [MQTT-3.8.4-6]; we have no PUBREC flow for it.
      if (k.qos === 2) return 'malformed PUBLISH (QoS 2 never granted)';
      const tl = (p.charCodeAt(o) << 8) | p.charCodeAt(o + 1);
      let at = o + 2 + tl;
      if (n < 2 || tl === 0 || at + (k.qos ? 2 : 0) > p.length) return 'malformed PUBLISH';
      k.topic = p.substr(o + 2, tl);
      // [MQTT-3.3.2-2]: no wildcards in a PUBLISH topic.
      if (k.topic.indexOf('+') >= 0 || k.topic.indexOf('#') >= 0) return 'malformed PUBLISH (wildcard topic)';
      if (k.qos) {
        k.id = (p.charCodeAt(at) << 8) | p.charCodeAt(at + 1);
        if (!k.id) return 'malformed PUBLISH (packet id 0)'; // [MQTT-2.3.1-1]
        at += 2;
      }
      k.payload = p.substr(at);
      return k;
    }
    case 4: // PUBACK [MQTT-3.4]
      k.id = (p.charCodeAt(o) << 8) | p.charCodeAt(o + 1);
      if (n !== 2 || !k.id) return 'malformed PUBACK';
      return k;
    case 9: {
      // SUBACK [MQTT-3.9]: a packet id and one return code per filter, each 0, 1, 2 or 0x80 [MQTT-3.9.3-2].
      k.id = (p.charCodeAt(o) << 8) | p.charCodeAt(o + 1);
      if (n < 3 || !k.id) return 'malformed SUBACK';
      for (let i = o + 2; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c > 2 && c !== 0x80) return 'malformed SUBACK';
        k.granted.push(c);
      }
      return k;
    }
    case 13: // PINGRESP [MQTT-3.13]
      return n ? 'malformed PINGRESP' : k;
  }
  // 0 and 15 are reserved; the others are packets only a client sends, or QoS 2/UNSUBSCRIBE flows we never start.
  return 'malformed packet (type ' + type + ')';
}
