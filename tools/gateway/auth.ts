// The gateway's side of the device authentication scheme (firmware/core/gateway-auth.ts):
// checks a CONNECT password against the secret and the highest counter seen, and checks and
// strips an event's tag. Pure functions: persisting the counter is device-store.ts's job.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Status, statusTopic } from '../../firmware/core/wire-contract';

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string };

const HEX40 = /^[0-9a-f]{40}$/;

function mac(secret: string, msg: string): Buffer {
  // The device treats the secret's text and the message as bytes: latin1 keeps them bytes here.
  return createHmac('sha1', Buffer.from(secret, 'latin1')).update(Buffer.from(msg, 'latin1')).digest();
}

function sameMac(hex: string, want: Buffer): boolean {
  return HEX40.test(hex) && timingSafeEqual(Buffer.from(hex, 'hex'), want);
}

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Buffer | string | undefined;
}

/**
 * Accepts `v1:<counter>:<hex HMAC(secret, "connect|thing|counter")>` from `thing` when the
 * counter is above `highest` (the replay guard). Returns the counter to persist.
 */
export function verifyConnect(thing: string, secret: string, highest: number, attempt: ConnectAttempt): Verdict<number> {
  if (attempt.username !== thing) return { ok: false, reason: 'username is not the thing name' };
  // AWS lets a thing's certificate connect only as itself; the upstream client id is the thing.
  if (attempt.clientId !== thing) return { ok: false, reason: `client id "${attempt.clientId}" is not the thing name` };
  const pw = attempt.password === undefined ? '' : attempt.password.toString('latin1');
  const parts = pw.split(':');
  if (parts.length !== 3 || parts[0] !== 'v1' || !/^[1-9][0-9]{0,14}$/.test(parts[1])) {
    return { ok: false, reason: 'password is not in the v1:<counter>:<mac> form' };
  }
  const counter = Number(parts[1]);
  if (!sameMac(parts[2], mac(secret, `connect|${thing}|${counter}`))) return { ok: false, reason: 'wrong secret (password MAC does not match)' };
  // Checked after the MAC so that only the real device learns about counter problems.
  if (counter <= highest) return { ok: false, reason: `replayed CONNECT (counter ${counter}, highest seen ${highest})` };
  return { ok: true, value: counter };
}

/** The retained availability messages (the wire contract's Status) are not JSON and carry no tag. */
export function needsTag(prefix: string, thing: string, topic: string, payload: Buffer): boolean {
  if (topic !== statusTopic(prefix, thing)) return true;
  const p = payload.toString('latin1');
  return p !== Status.Online && p !== Status.Offline;
}

const TAG_HEAD = '"tag":"';
const TAG_LEN = TAG_HEAD.length + 40 + 1;

/**
 * Checks the tag that tagEvent() put before the payload's final `}` and returns the payload as
 * it was before tagging (what gets forwarded: consumers never see the tag).
 */
export function verifyTag(topic: string, payload: Buffer, secret: string): Verdict<Buffer> {
  const p = payload.toString('latin1');
  const end = p.lastIndexOf('}');
  const start = end - TAG_LEN;
  if (start < 1 || p.slice(start, start + TAG_HEAD.length) !== TAG_HEAD || p.charAt(end - 1) !== '"') {
    return { ok: false, reason: 'no tag' };
  }
  const tag = p.slice(start + TAG_HEAD.length, end - 1);
  let before = p.slice(0, start);
  if (before.endsWith(',')) before = before.slice(0, -1);
  else if (!before.trimEnd().endsWith('{')) return { ok: false, reason: 'no tag' };
  const original = before + p.slice(end);
  if (!sameMac(tag, mac(secret, `${topic}\n${original}`))) return { ok: false, reason: 'bad tag (tampered or wrong secret)' };
  return { ok: true, value: Buffer.from(original, 'latin1') };
}
