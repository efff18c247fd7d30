// What the AWS IoT rule `aws-setup --iot-button-compat` creates does, emulated on the AWS-like
// broker: each press a client publishes on <prefix>/+/events/button is republished (QoS 1) on
// iotbutton/<thing> in the AWS IoT Button's shape. The mapping is iot-button-shape.ts, the same one
// the rule's SQL is made from; this does not parse SQL. No error action, no rules engine latency.
import type Aedes from 'aedes';
import type { PublishPacket } from 'aedes';
import { iotButtonCopy } from '../shared/iot-button-shape';

/** Installs the rule on `aedes` (as CreateTopicRule does on AWS); returns its removal. */
export function emulateIotButtonRule(aedes: Aedes, prefix: string, log: (line: string) => void = () => {}): () => void {
  const onPublish = (packet: PublishPacket, client: unknown) => {
    // Rules see what clients publish; the broker's own messages (and this rule's) have no client.
    if (!client) return;
    const copy = iotButtonCopy(prefix, packet.topic, packet.payload);
    if (!copy) return;
    const out = { cmd: 'publish', topic: copy.topic, payload: copy.payload, qos: 1, retain: false, dup: false } as PublishPacket;
    aedes.publish(out, (err) => {
      if (err) log(`iotbutton rule: ${copy.topic} not republished: ${err.message}`);
    });
  };
  aedes.on('publish', onPublish);
  return () => void aedes.off('publish', onPublish);
}
