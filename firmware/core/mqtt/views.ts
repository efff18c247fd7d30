// Object views of the MQTT session's one-function events and handle (the device keeps one function
// object each to save RAM), for host code and tests that want named calls: connected, puback, publish...
// Nothing in the firmware imports this file, so esbuild leaves it out of the bundle.
import { Mq, Packet, type MqttClient, type MqttEvents } from './types';

export interface Handlers {
  connected(sessionPresent: boolean): void;
  puback(id: number): void;
  closed(reason: string): void;
  /** An incoming PUBLISH (bytes, one char per byte). */
  message?(topic: string, payload: string, qos: number, id: number): void;
  /** `code`: the QoS granted, or 0x80 for a refusal. */
  suback?(id: number, code: number): void;
}

/** The session's event function, dispatching to named handlers. */
export function events(h: Handlers): MqttEvents {
  return ((type: number, x: any) => {
    if (type === Packet.Closed) h.closed(x);
    else if (type === Packet.Connack) h.connected(x.sp);
    else if (type === Packet.Puback) h.puback(x.id);
    else if (type === Packet.Publish && h.message) h.message(x.topic, x.payload, x.qos, x.id);
    else if (type === Packet.Suback && h.suback) h.suback(x.id, x.code);
    else throw new Error(`unexpected event type ${type}`);
  }) as MqttEvents;
}

export interface ClientMethods {
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): number;
  subscribe(filter: string, qos: 0 | 1): number;
  end(): void;
}

/** The session handle as methods. */
export function methods(c: MqttClient): ClientMethods {
  return {
    publish: (topic, payload, qos, retain) => c(Mq.Publish, topic, payload, qos, retain),
    subscribe: (filter, qos) => c(Mq.Subscribe, filter, qos),
    end: () => c(Mq.End),
  };
}
