// The device side of the LAN gateway's authentication: a CONNECT password that proves the
// per-device secret without sending it, and an integrity tag on each event. No state here:
// the counter comes from connect-counter.ts, the secret from flash. HMAC-SHA1 (RFC 2104) is here too.
//
// Scheme (v1). Key = the secret's text as provisioned (64 hex chars, used as bytes).
// - CONNECT: username = thing, client id = thing, password =
//   `v1:<counter>:<hex HMAC-SHA1(secret, "connect|" + thing + "|" + counter)>`.
//   A counter, not a time: the device has no wall clock before it connects (SNTP comes later
//   or never). Replay-safe because the gateway keeps, persisted, the highest counter it
//   accepted per device and refuses any CONNECT whose counter is not higher, and the counter
//   here only moves forward, across reboots and power cuts (connect-counter.ts).
// - Events: `,"tag":"<hex HMAC-SHA1(secret, topic + "\n" + payload)>"` inserted before the
//   payload's final `}`. The gateway checks it, strips it and forwards the original bytes.
//   The tag proves origin and integrity, not freshness: a replayed event inside a live session
//   carries its own event id (seq), which consumers dedupe like any QoS 1 duplicate.
export type Sha1 = (s: string) => string;

/** What gatewayAuth computes. Inlined as numbers by the build. */
export const enum Gw {
  /** (key, msg): lower-case hex of HMAC-SHA1(key, msg). */
  Hmac,
  /** (secret, thing, counter): the CONNECT password. */
  Password,
  /** (secret, topic, payload): the payload with its tag; `payload` is the text of a JSON object without newlines. */
  Tag,
}

/**
 * The device's one function for all three (each function object costs RAM, and the device keeps
 * this one for as long as it runs in gateway mode; the helpers below are made per call). The hash
 * is passed in: the device's native crypto.SHA1, or node:crypto on the host. Host code and tests
 * use the named wrappers at the end, which the firmware bundle leaves out.
 */
export function gatewayAuth(op: Gw, key: string, a: string, b: string | number, sha1: Sha1): string {
  const hmac = (msg: string): string => {
    // RFC 2104 section 2: keys longer than the block are hashed first.
    let k = key.length > 64 ? sha1(key) : key;
    let d = msg;
    // Inner pad 0x36 first, then the outer pad 0x5c around the inner hash: one pad string at a time.
    for (let x = 0x36; x; x = x === 0x36 ? 0x5c : 0) {
      let s = '';
      for (let i = 0; i < 64; i++) s += String.fromCharCode((i < k.length ? k.charCodeAt(i) & 255 : 0) ^ x);
      d = sha1(s + d);
    }
    k = '';
    // Not toString(16): the first Number method run keeps Espruino's Number class in RAM (8 JsVars).
    for (let i = 0; i < d.length; i++) k += '0123456789abcdef'.charAt(d.charCodeAt(i) >> 4) + '0123456789abcdef'.charAt(d.charCodeAt(i) & 15);
    return k;
  };
  if (op === Gw.Hmac) return hmac(a);
  if (op === Gw.Password) return 'v1:' + b + ':' + hmac('connect|' + a + '|' + b);
  const p = '' + b;
  const tag = hmac(a + '\n' + p);
  const end = p.lastIndexOf('}');
  // An empty object takes the tag as its only member: no comma.
  let j = end - 1;
  while (j > 0 && p.charCodeAt(j) <= 32) j--;
  return p.slice(0, end) + (p.charAt(j) === '{' ? '' : ',') + '"tag":"' + tag + '"' + p.slice(end);
}

/** Lower-case hex of HMAC-SHA1(key, msg), with a hash returning a 20-byte binary string. */
export const hmacHex = (key: string, msg: string, sha1: Sha1): string => gatewayAuth(Gw.Hmac, key, msg, '', sha1);

export const connectPassword = (thing: string, secret: string, counter: number, sha1: Sha1): string =>
  gatewayAuth(Gw.Password, secret, thing, counter, sha1);

/** `payload` is the text of a JSON object without newlines. */
export const tagEvent = (topic: string, payload: string, secret: string, sha1: Sha1): string =>
  gatewayAuth(Gw.Tag, secret, topic, payload, sha1);
