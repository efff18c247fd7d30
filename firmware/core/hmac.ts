// HMAC-SHA1 (RFC 2104) over byte strings, as lower-case hex, with the hash passed in so the glue
// can choose Espruino's native `crypto.SHA1` or our own. No key caching: the key lives in flash.
// One function (the pads and the hex step inline): each function object costs device RAM.

/** Lower-case hex of HMAC(key, msg) with a 64-byte block hash returning a 20-byte binary string. */
export function hmacHex(key: string, msg: string, sha1: (s: string) => string): string {
  // RFC 2104 section 2: keys longer than the block are hashed first.
  if (key.length > 64) key = sha1(key);
  let d = msg;
  // Inner pad 0x36 first, then the outer pad 0x5c around the inner hash: one pad string at a time.
  for (let x = 0x36; x; x = x === 0x36 ? 0x5c : 0) {
    let s = '';
    for (let i = 0; i < 64; i++) s += String.fromCharCode((i < key.length ? key.charCodeAt(i) & 255 : 0) ^ x);
    d = sha1(s + d);
  }
  let h = '';
  for (let i = 0; i < d.length; i++) h += (256 + d.charCodeAt(i)).toString(16).slice(1);
  return h;
}
