// Publish-to-observer latency for the gateway bench: devices note each event as they publish it,
// the observer (one MQTT.js client on the broker, as the cloud side) notes its arrival. Samples
// count only inside a window; it does not judge them (gateway-bench.ts does).
import mqtt, { type MqttClient } from 'mqtt';
import type { DevPki } from '../pki/dev-pki';
import { eventFilter, Topic } from '../../firmware/core/wire-contract';

export const EVENT_FILTER = eventFilter(Topic.DefaultPrefix);

export interface WindowResult {
  /** Milliseconds from the device's publish() call to the observer's receipt, in arrival order. */
  samples: number[];
  /** Events published in the window that did not arrive within `lossMs` of the window's end. */
  lost: number;
}

export interface LatencyWindow {
  /** Stops counting new events, waits for those counted (at most `lossMs`), returns them. */
  finish(lossMs: number): Promise<WindowResult>;
}

export interface LatencyTracker {
  /** A device is publishing `seq` on `topic` now. */
  sent(topic: string, seq: number): void;
  /** The observer received `seq` on `topic` now; duplicates and unknown events are ignored. */
  received(topic: string, seq: number): void;
  /** Counts the events published from now on until finish(). */
  open(): LatencyWindow;
}

interface OpenWindow {
  samples: number[];
  pending: number;
  closed: boolean;
  done?: () => void;
}

export function createLatencyTracker(): LatencyTracker {
  const inflight = new Map<string, { t: number; w?: OpenWindow }>();
  let current: OpenWindow | undefined;
  return {
    sent(topic, seq) {
      if (current) current.pending++;
      inflight.set(`${topic} ${seq}`, { t: performance.now(), w: current });
    },
    received(topic, seq) {
      const key = `${topic} ${seq}`;
      const e = inflight.get(key);
      if (!e) return;
      inflight.delete(key);
      const w = e.w;
      if (!w || w.done === undefined) return; // outside a window, or the window gave up on it
      w.samples.push(performance.now() - e.t);
      w.pending--;
      if (w.closed && w.pending === 0) w.done();
    },
    open() {
      const w: OpenWindow = { samples: [], pending: 0, closed: false, done: () => undefined };
      current = w;
      return {
        finish(lossMs) {
          if (current === w) current = undefined;
          w.closed = true;
          return new Promise<WindowResult>((resolve) => {
            const end = () => {
              clearTimeout(timer);
              w.done = undefined;
              // Forget what will never count, so a long run does not accumulate lost events.
              for (const [k, e] of inflight) if (e.w === w) inflight.delete(k);
              resolve({ samples: w.samples, lost: w.pending });
            };
            const timer = setTimeout(end, lossMs);
            w.done = end;
            if (w.pending === 0) end();
          });
        },
      };
    },
  };
}

/** The cloud side: the dev PKI's `observer` identity over mutual TLS, subscribed to every thing's button events. */
export async function connectObserver(brokerPort: number, pki: DevPki, tracker: LatencyTracker): Promise<MqttClient> {
  const id = pki.client('observer');
  const observer = await mqtt.connectAsync(`mqtts://127.0.0.1:${brokerPort}`, {
    key: id.key,
    cert: id.cert,
    ca: pki.ca,
    clientId: 'observer',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  observer.on('message', (topic, payload) => {
    const m = /"seq":([0-9]+)/.exec(payload.toString('latin1'));
    if (m) tracker.received(topic, Number(m[1]));
  });
  observer.on('error', () => undefined); // a lost observer shows up as lost events
  await observer.subscribeAsync(EVENT_FILTER, { qos: 1 });
  return observer;
}
