// SHA-1 (FIPS 180-4) over a byte string, small rather than fast: it pads on the fly instead of
// copying the message and keeps a 16-word schedule. Not in the device bundle: every Espruino build
// that can hold this firmware has a native crypto.SHA1 (the 512 KB ESP8266 build lacks it, but its
// 16 KB of Storage cannot hold the firmware). The gateway's tests and tools use this one.

/** Returns the 20-byte digest of `msg` (one char per byte) as a binary string. */
export function sha1(msg: string): string {
  const n = msg.length;
  // Padded length: message, 0x80, zeros, then the 64-bit big-endian bit length.
  const total = ((n + 8) >> 6) * 64 + 64;
  const lo = (n * 8) >>> 0;
  const hi = Math.floor(n / 0x20000000);

  // Byte i of the padded message, computed instead of stored (RAM is scarcer than time).
  function at(i: number): number {
    if (i < n) return msg.charCodeAt(i) & 255;
    if (i === n) return 0x80;
    const k = total - i; // 8..1 for the length bytes
    if (k > 8) return 0;
    if (k > 4) return (hi >>> ((k - 5) * 8)) & 255;
    return (lo >>> ((k - 1) * 8)) & 255;
  }

  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  // A circular 16-word schedule: W[t-3], W[t-8], W[t-14], W[t-16] are all still in it.
  const w = new Int32Array(16);

  for (let b = 0; b < total; b += 64) {
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let x: number;
      if (t < 16) {
        const p = b + t * 4;
        x = (at(p) << 24) | (at(p + 1) << 16) | (at(p + 2) << 8) | at(p + 3);
      } else {
        x = w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[t & 15];
        x = (x << 1) | (x >>> 31);
      }
      w[t & 15] = x;
      let f: number;
      let k: number;
      if (t < 20) {
        f = (bb & c) | (~bb & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = bb ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (bb & c) | (bb & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = bb ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      // Each sum is folded back to 32 bits at once, so no intermediate leaves int range.
      const tmp = (((((a << 5) | (a >>> 27)) + f) | 0) + ((e + k) | 0) + x) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  let out = '';
  const hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) {
    const v = hs[i];
    out += String.fromCharCode((v >>> 24) & 255) + String.fromCharCode((v >>> 16) & 255);
    out += String.fromCharCode((v >>> 8) & 255) + String.fromCharCode(v & 255);
  }
  return out;
}
