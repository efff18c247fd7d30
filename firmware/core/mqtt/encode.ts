// Byte-string building blocks for MQTT 3.1.1 packets (one char per byte) and the CONNECT packet.
// It does not check sizes against the broker's limits or keep any state: the session does that.
import type { MqttOptions } from './types';
import { utf8 } from './utf8';

// RAM: on the device every function is an object costing about 6 JsVars plus one per parameter, so
// only CONNECT (the one long builder) lives here; the session builds PUBLISH, PUBACK, SUBSCRIBE, PINGREQ
// and DISCONNECT inline from these three helpers.

/** A two-byte big-endian length (or packet id) then the bytes [MQTT-1.5.2]. */
export function u16(n: number): string {
  return String.fromCharCode((n >> 8) & 255, n & 255);
}

/** A UTF-8 string field with its length prefix [MQTT-1.5.3]. `bytes` skips the UTF-8 step for binary data. */
export function field(s: string, bytes?: boolean): string {
  const b = bytes ? s : utf8(s);
  return u16(b.length) + b;
}

/** Fixed header: the first byte, then the Remaining Length (7 bits a byte, high bit = more; at most 4 bytes [MQTT-2.2.3]). */
export function frame(first: number, body: string): string {
  let out = String.fromCharCode(first);
  let n = body.length;
  do {
    const b = n & 127;
    n = n >> 7;
    out += String.fromCharCode(n > 0 ? b | 128 : b);
  } while (n > 0);
  return out + body;
}

/** CONNECT [MQTT-3.1]: protocol "MQTT" level 4, flags, keepalive, then id, will, user, password in that order. */
export function connectPacket(o: MqttOptions): string {
  const w = o.will;
  const user = o.username !== undefined || o.password !== undefined;
  let flags = o.clean ? 2 : 0;
  let tail = field(o.clientId);
  if (w) {
    // [MQTT-3.1.2-9] will flag, [MQTT-3.1.2-14] will QoS, [MQTT-3.1.2-17] will retain
    flags |= 4 | (w.qos << 3) | (w.retain ? 32 : 0);
    tail += field(w.topic) + field(w.payload, true);
  }
  // [MQTT-3.1.2-22]: a password needs the user name flag, so send an empty name with it.
  if (user) {
    flags |= 128;
    tail += field(o.username || '');
  }
  if (o.password !== undefined) {
    flags |= 64;
    tail += field(o.password, true);
  }
  return frame(0x10, '\x00\x04MQTT\x04' + String.fromCharCode(flags) + u16(o.keepalive) + tail);
}
