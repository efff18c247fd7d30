// What the gateway does with one device publish or Will, decided from the packet alone: forward
// (tag checked and stripped), drop (bad tag) or refuse (what AWS would refuse). No I/O, no logging.
import { needsTag, verifyTag } from './auth';
import { ownsTopic } from '../../firmware/core/wire-contract';
import type { WillMessage } from './upstream';

export type PublishDecision =
  | { action: 'forward'; payload: Buffer }
  /** Acknowledge and drop: a forged event must not reach AWS, and refusing the PUBACK would wedge a real device's outbox on it. */
  | { action: 'drop'; reason: string }
  /** AWS closes the connection on these; so does the gateway. */
  | { action: 'refuse'; reason: string };

/** Whose packet it is: the thing, its device secret and the topic prefix it was provisioned with. */
export interface Publisher {
  thing: string;
  secret: string;
  topicPrefix: string;
}

export function decidePublish(dev: Publisher, p: { topic: string; payload: Buffer; qos: number }): PublishDecision {
  if (p.qos === 2) return { action: 'refuse', reason: 'QoS 2 (AWS IoT accepts 0 and 1)' };
  if (!ownsTopic(dev.topicPrefix, dev.thing, p.topic)) return { action: 'refuse', reason: 'not its own topic' };
  if (!needsTag(dev.topicPrefix, dev.thing, p.topic, p.payload)) return { action: 'forward', payload: p.payload };
  const v = verifyTag(p.topic, p.payload, dev.secret);
  return v.ok ? { action: 'forward', payload: v.value } : { action: 'drop', reason: v.reason };
}

/** A CONNECT's Will must pass the same rules as a publish; a bad one refuses the CONNECT. */
export function decideWill(
  dev: Publisher,
  w: { topic: string; payload: Buffer | string; qos?: number; retain?: boolean } | undefined | null,
): { will?: WillMessage; reason?: string } {
  if (!w) return {};
  const d = decidePublish(dev, { topic: w.topic, payload: Buffer.from(w.payload), qos: w.qos ?? 0 });
  if (d.action !== 'forward') return { reason: `Will on ${w.topic}: ${d.reason}` };
  return { will: { topic: w.topic, payload: d.payload, qos: w.qos === 1 ? 1 : 0, retain: w.retain === true } };
}
