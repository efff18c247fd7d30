// Virtual devices for the gateway bench: MQTT.js clients that each press once a second, either
// through the LAN gateway (plain TCP, HMAC password, tagged events, as the firmware does) or straight
// to the broker with their own client certificate. They do not resend or reconnect: a dropped
// connection is a failure for the bench to report, not something to hide.
import { sha1 } from '../shared/sha1';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { connectPassword, tagEvent } from '../../firmware/core/gateway-auth';
import type { DevPki } from '../pki/dev-pki';
import type { LatencyTracker } from './gateway-latency';
import { eventTopic, Topic } from '../../firmware/core/wire-contract';

/** node:crypto's SHA-1 as the firmware's binary-string function: the firmware's own is too slow for hundreds of devices. */

export type Route = { via: 'gateway'; port: number; secrets: Record<string, string> } | { via: 'direct'; port: number; pki: DevPki };

export interface Fleet {
  readonly size: number;
  /** Connects devices until `n` are up, a batch at a time; rejects with the first refusal. */
  grow(n: number): Promise<void>;
  /** Connections that dropped after connecting, one line each, since the last call. */
  takeFailures(): string[];
  close(): Promise<void>;
}

const PRESS_MS = 1000;
/** Connections opened together: gradual, so the figure measures carrying devices, not a connect storm. */
const BATCH = 10;
const CONNECT_TIMEOUT_MS = 15000;

export function createFleet(things: string[], route: Route, tracker: LatencyTracker): Fleet {
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  const failures: string[] = [];
  let closing = false;

  function options(thing: string): IClientOptions {
    const base: IClientOptions = { clientId: thing, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: CONNECT_TIMEOUT_MS };
    if (route.via === 'direct') {
      const id = route.pki.client(thing);
      return { ...base, key: id.key, cert: id.cert, ca: route.pki.ca };
    }
    // Each device connects once per run, so counter 1 is always fresh for a new store.
    return { ...base, username: thing, password: connectPassword(thing, route.secrets[thing], 1, sha1) };
  }

  function connect(thing: string): Promise<MqttClient> {
    const url = route.via === 'direct' ? `mqtts://127.0.0.1:${route.port}` : `mqtt://127.0.0.1:${route.port}`;
    const c = mqtt.connect(url, options(thing));
    return new Promise((resolve, reject) => {
      // Named handlers only: MQTT.js keeps its own 'connect' and 'close' listeners on the client.
      const onError = (e: Error) => fail(e.message);
      const onEarlyClose = () => fail('connection closed before CONNACK');
      const settle = () => {
        c.off('error', onError);
        c.off('close', onEarlyClose);
        c.on('error', () => undefined);
      };
      const fail = (why: string) => {
        settle();
        c.end(true);
        reject(new Error(`${thing} could not connect ${route.via === 'direct' ? 'to the broker' : 'through the gateway'}: ${why}`));
      };
      c.once('error', onError);
      c.once('close', onEarlyClose);
      c.once('connect', () => {
        settle();
        c.on('close', () => {
          if (!closing) failures.push(`${thing} was disconnected`);
        });
        resolve(c);
      });
    });
  }

  function startPressing(thing: string, c: MqttClient): void {
    const topic = eventTopic(Topic.DefaultPrefix, thing);
    const secret = route.via === 'gateway' ? route.secrets[thing] : thing;
    let seq = 0;
    const press = () => {
      if (!c.connected) return; // its failure is recorded once, by the close handler
      seq++;
      const payload = tagEvent(topic, `{"seq":${seq},"gesture":"single"}`, secret, sha1);
      tracker.sent(topic, seq);
      c.publish(topic, payload, { qos: 1 }, () => undefined);
    };
    // A random phase per device: presses spread over the second instead of arriving in one burst.
    const first = setTimeout(() => {
      press();
      timers.push(setInterval(press, PRESS_MS));
    }, Math.random() * PRESS_MS);
    timers.push(first);
  }

  return {
    get size() {
      return clients.length;
    },
    async grow(n) {
      while (clients.length < n && !closing) {
        const batch = things.slice(clients.length, Math.min(n, clients.length + BATCH));
        if (batch.length === 0) throw new Error(`only ${things.length} things were prepared, ${n} asked for`);
        const settled = await Promise.allSettled(batch.map(connect));
        for (let i = 0; i < settled.length; i++) {
          const s = settled[i];
          if (s.status === 'fulfilled') {
            clients.push(s.value);
            startPressing(batch[i], s.value);
          }
        }
        const refused = settled.find((s) => s.status === 'rejected');
        if (refused) throw (refused as PromiseRejectedResult).reason;
      }
    },
    takeFailures: () => failures.splice(0),
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t); // clears intervals too
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      clients.splice(0);
    },
  };
}
