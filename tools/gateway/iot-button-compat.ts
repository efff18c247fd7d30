// `gateway --iot-button-compat`: after AWS acknowledged a press, the gateway also publishes it as
// the AWS IoT Button's message on iotbutton/<thing>, as the thing (the shape: iot-button-shape.ts).
// For accounts without the AWS IoT rule aws-setup makes. AWS answers a publish the thing's policy
// forbids by closing the connection: the first such close stops the copies for that thing.
import { iotButtonCopy } from '../shared/iot-button-shape';

export interface CompatUpstream {
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void>;
}

export interface GatewayIotButtonCompat {
  /** Publishes the copy of an acknowledged event, unless it is no press or AWS refused this thing's copies. */
  afterAcknowledged(thing: string, prefix: string, topic: string, payload: Buffer, up: CompatUpstream): void;
  /**
   * The thing's upstream connection was lost. True when a copy was in flight: AWS closed it for
   * that publish, so copies stop for the thing (said once, with what to do).
   */
  lost(thing: string, up: CompatUpstream | undefined): boolean;
}

export function createIotButtonCompat(log: (line: string) => void): GatewayIotButtonCompat {
  // Upstream links whose latest copy AWS has not acknowledged: in flight, or failed as the link
  // went down (the SDK may reject the publish before or after it reports the interruption).
  const unacked = new WeakSet<CompatUpstream>();
  const refused = new Set<string>();
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return {
    afterAcknowledged(thing, prefix, topic, payload, up) {
      if (refused.has(thing)) return;
      const copy = iotButtonCopy(prefix, topic, payload);
      if (!copy || copy.thing !== thing) return;
      unacked.add(up);
      up.publish(copy.topic, copy.payload, 1, false).then(
        () => unacked.delete(up),
        (e: unknown) => {
          if (!refused.has(thing)) log(`${copy.topic} not delivered: ${why(e)}`);
        },
      );
    },
    lost(thing, up) {
      if (!up || !unacked.has(up) || refused.has(thing)) return false;
      refused.add(thing);
      log(
        `AWS closed ${thing}'s connection on its AWS IoT Button copy (iotbutton/${thing}): its policy does not allow that topic, so this gateway stops the copies for ${thing} (the press itself was delivered). ` +
          `If aws-setup --iot-button-compat made the AWS IoT rule, the rule makes the copy: drop --iot-button-compat from the gateway; otherwise run aws-setup --thing ${thing} --iot-button-compat gateway.`,
      );
      return true;
    },
  };
}
