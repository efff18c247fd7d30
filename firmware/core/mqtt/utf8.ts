// Encodes a JS string as UTF-8 bytes (one char per byte), because Espruino has no TextEncoder
// and MQTT length prefixes count bytes [MQTT-1.5.3]. It does not decode: incoming topics stay bytes.

/**
 * UTF-8 bytes of `s`. ASCII comes back unchanged (the common case costs no new string).
 * A lone surrogate becomes U+FFFD, since MQTT forbids encoded surrogates [MQTT-1.5.3-1].
 */
export function utf8(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  if (i === s.length) return s;
  let out = s.substr(0, i);
  const f = String.fromCharCode;
  for (; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out += s.charAt(i);
    } else if (c < 0x800) {
      out += f(0xc0 | (c >> 6), 0x80 | (c & 63));
    } else {
      if (c >= 0xd800 && c < 0xe000) {
        const d = s.charCodeAt(i + 1);
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out += f(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
          continue;
        }
        c = 0xfffd;
      }
      out += f(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return out;
}
