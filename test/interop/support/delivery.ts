// What QoS 1 with one event in flight allows a cloud-side observer to see of one device's events.
import type { ButtonEvent } from '../../../firmware/core/wire-contract';

/**
 * What QoS 1 with one event in flight allows, per device: every seq from 1 to `n` arrives, in
 * order, and a seq may repeat only right after itself (a resend of the event whose PUBACK was
 * lost), with the same bytes. Returns the number of duplicates, or throws saying what broke.
 */
export function checkDelivery(payloads: string[], n: number, who: string): number {
  const seqs = payloads.map((p) => (JSON.parse(p) as ButtonEvent).seq);
  let dups = 0;
  for (let i = 0; i < seqs.length; i++) {
    const prev = i ? seqs[i - 1] : 0;
    if (seqs[i] === prev && i > 0) {
      if (payloads[i] !== payloads[i - 1]) throw new Error(`${who}: seq ${seqs[i]} arrived twice with different bytes:\n${payloads[i - 1]}\n${payloads[i]}`);
      dups++;
    } else if (seqs[i] !== prev + 1) {
      throw new Error(`${who}: seq ${seqs[i]} arrived after ${prev} (lost or out of order); all: ${seqs.join(',')}`);
    }
  }
  const last = seqs.length ? seqs[seqs.length - 1] : 0;
  if (last !== n) throw new Error(`${who}: ${n} presses stored but the cloud saw seqs up to ${last}; all: ${seqs.join(',')}`);
  return dups;
}
