// HMAC-SHA1 (RFC 2104) over byte strings, with the hash passed in so the glue can choose
// Espruino's native `crypto.SHA1` or our own. No key caching: the key lives in flash.

// The key XORed with a pad byte, zero-filled to the 64-byte block.
function pad(key: string, x: number): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += String.fromCharCode((i < key.length ? key.charCodeAt(i) & 255 : 0) ^ x);
  return s;
}

/** HMAC(key, msg) with a 64-byte block hash returning a 20-byte binary string. */
export function hmacSha1(key: string, msg: string, sha1: (s: string) => string): string {
  // RFC 2104 section 2: keys longer than the block are hashed first.
  if (key.length > 64) key = sha1(key);
  // One pad at a time: the outer one is built only after the inner hash has freed its string.
  const inner = sha1(pad(key, 0x36) + msg);
  return sha1(pad(key, 0x5c) + inner);
}

/** Lower-case hex of a byte string. */
export function toHex(bytes: string): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i) & 255;
    s += (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}
