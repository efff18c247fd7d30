// The device side of the LAN gateway's authentication: a CONNECT password that proves the
// per-device secret without sending it, and an integrity tag on each event. No state here:
// the counter comes from connect-counter.ts, the secret from flash.
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
import { hmacHex } from './hmac';

export type Sha1 = (s: string) => string;

export function connectPassword(thing: string, secret: string, counter: number, sha1: Sha1): string {
  return 'v1:' + counter + ':' + hmacHex(secret, 'connect|' + thing + '|' + counter, sha1);
}

/** `payload` is the text of a JSON object without newlines. */
export function tagEvent(topic: string, payload: string, secret: string, sha1: Sha1): string {
  const tag = hmacHex(secret, topic + '\n' + payload, sha1);
  const end = payload.lastIndexOf('}');
  // An empty object takes the tag as its only member: no comma.
  let j = end - 1;
  while (j > 0 && payload.charCodeAt(j) <= 32) j--;
  const sep = payload.charAt(j) === '{' ? '' : ',';
  return payload.slice(0, end) + sep + '"tag":"' + tag + '"' + payload.slice(end);
}
