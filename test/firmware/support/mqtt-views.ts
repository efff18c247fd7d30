// Object views of the MQTT session's one-function events and handle (the device keeps one function
// object each to save RAM), so the client tests read as named behaviours: connected, puback, publish...
import { Mq, type MqttClient, type MqttEvents } from '../../../firmware/core/mqtt/client';

export interface Handlers {
  connected(sessionPresent: boolean): void;
  puback(id: number): void;
  closed(reason: string): void;
}

/** The session's event function, dispatching to named handlers. */
export function events(h: Handlers): MqttEvents {
  return ((type: number, x: any) => {
    if (type === 0) h.closed(x);
    else if (type === 2) h.connected(x.sp);
    else if (type === 4) h.puback(x.id);
    else throw new Error(`unexpected event type ${type}`);
  }) as MqttEvents;
}

export interface ClientMethods {
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): number;
  end(): void;
}

/** The session handle as methods. */
export function methods(c: MqttClient): ClientMethods {
  return {
    publish: (topic, payload, qos, retain) => c(Mq.Publish, topic, payload, qos, retain),
    end: () => c(Mq.End),
  };
}
