// Byte-string building blocks for MQTT 3.1.1 packets (one char per byte) and the CONNECT packet.
// It does not check sizes against the broker's limits or keep any state: the session does that.
// It does not encode UTF-8: on the device every string already is bytes (see field).
import type { MqttOptions } from './types';

// RAM: on the device every function is an object costing about 5 JsVars plus one per parameter, so
// there are only three: CONNECT (the one long builder) and the two helpers the session builds PUBLISH,
// PUBACK and SUBSCRIBE with. Two-byte numbers are written inline: String.fromCharCode(n >> 8, n & 255).

/**
 * A string or binary field: two-byte big-endian byte length, then the bytes [MQTT-1.5.3]. Strings are
 * bytes already: Espruino's ESP8266 and ESP32 builds have no Unicode support, so text read from
 * config.json holds its UTF-8 bytes one per char (checked on the 2v29 interpreter), and encoding it
 * again would garble every non-ASCII character.
 */
export function field(s: string): string {
  return String.fromCharCode((s.length >> 8) & 255, s.length & 255) + s;
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
  let flags = o.clean ? 2 : 0;
  let tail = field(o.clientId);
  if (w) {
    // [MQTT-3.1.2-9] will flag, [MQTT-3.1.2-14] will QoS, [MQTT-3.1.2-17] will retain
    flags |= 4 | (w.qos << 3) | (w.retain ? 32 : 0);
    tail += field(w.topic) + field(w.payload);
  }
  // [MQTT-3.1.2-22]: a password needs the user name flag, so send an empty name with it.
  if (o.username != null || o.password != null) {
    flags |= 128;
    tail += field(o.username || '');
  }
  if (o.password != null) {
    flags |= 64;
    tail += field(o.password);
  }
  return frame(0x10, '\x00\x04MQTT\x04' + String.fromCharCode(flags, o.keepalive >> 8, o.keepalive & 255) + tail);
}
