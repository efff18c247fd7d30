// The gateway's broker policy as aedes hooks: who may connect (secret + fresh counter), what a
// device may publish and subscribe, and the per-device upstream session that mirrors it to AWS.
// It owns no sockets: run.ts listens and closes. Nothing is queued here: an event is
// acknowledged to the device only once AWS acknowledged it, so the device's outbox is the queue.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import type Aedes from 'aedes';
import { createIotButtonCompat } from './iot-button-compat';
import { verifyConnect } from './auth';
import { ownsTopic, thingRoot, Topic } from '../../firmware/core/wire-contract';
import { decidePublish, decideWill } from './publish-policy';
import type { DeviceStore } from './device-store';
import { openUpstream, type Upstream, type UpstreamTarget, type WillMessage } from './upstream';
import { CERT_FILE, KEY_FILE } from '../certificates';

/** Marks packets that came from AWS: the only ones the local broker may deliver to a device. */
const FROM_AWS = '$aws-upstream';

type ReturnCode = AuthenticateError['returnCode'];
const SERVER_UNAVAILABLE = 3 as ReturnCode;
const BAD_CREDENTIALS = 4 as ReturnCode;
const NOT_AUTHORIZED = 5 as ReturnCode;

interface Session {
  thing: string;
  secret: string;
  topicPrefix: string;
  client: Client;
  state: 'opening' | 'live' | 'ended';
  opening?: Promise<Upstream>;
  up?: Upstream;
  ending?: Promise<void>;
  will?: WillMessage;
  /** The upstream link dropped: AWS has published the Will itself. */
  upLost: boolean;
  willDone?: Promise<void>;
  /** SUBSCRIBEs being mirrored: AWS may send retained messages before the local one exists, so hold them. */
  subscribing: number;
  held: { topic: string; payload: Buffer; qos: 0 | 1 }[];
  registered: boolean;
  /** What else runs over the upstream as the thing (the jobs executor), while the session is live. */
  agent?: UpstreamAgent;
}

/** Something that acts as the thing over its upstream (job-runner.ts): it sees AWS's messages first. */
export interface UpstreamAgent {
  /** true when the message was the agent's (it then does not go to the device). */
  onMessage(topic: string, payload: Buffer): boolean;
  stop(): void;
}

export interface DeviceSessions {
  hooks: Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>;
  /** Wires broker events (disconnects, subscribe completion, unsubscribes). */
  attach(aedes: Aedes): void;
  /**
   * Stops: `closeDevices` closes the device connections (so each vanished device's Will reaches
   * AWS), then every upstream connection closes once its Will, if any, has been sent.
   */
  shutdown(closeDevices: () => Promise<void>): Promise<void>;
  /**
   * Closes every session whose device the store no longer accepts as it connected: revoked,
   * removed, or given a new secret (a rotation). Called when devices.json changes.
   */
  recheck(): void;
  /** Publishes to a connected device as if from AWS (the updater's chunks); false when it is not live. */
  sendToDevice(thing: string, topic: string, payload: Buffer): boolean;
}

export interface SessionDeps {
  store: DeviceStore;
  upstream: UpstreamTarget;
  log: (line: string) => void;
  connectTimeoutMs?: number;
  /** Also publish each press as the AWS IoT Button does, on iotbutton/<thing>, until AWS refuses it (iot-button-compat.ts). */
  iotButtonCompat?: boolean;
  /** Called when a device's upstream is up: what it returns acts as the thing until the session ends. */
  onUpstream?: (thing: string, up: Upstream) => UpstreamAgent | undefined;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** An error for aedes (it closes the connection) whose cause this file has logged already. */
const logged = (message: string) => Object.assign(new Error(message), { logged: true });

function peer(client: Client): string {
  const c = client.conn as { remoteAddress?: string; remotePort?: number };
  return c.remoteAddress ? `${c.remoteAddress}:${c.remotePort}` : 'unknown address';
}

export function createDeviceSessions(deps: SessionDeps): DeviceSessions {
  const store = deps.store;
  // Names and topics come from the network: no control characters may forge a log line.
  const log = (line: string) => deps.log(line.replace(/[\x00-\x1f\x7f]/g, '?'));
  const byThing = new Map<string, Session>();
  const byClient = new WeakMap<Client, Session>();
  const connects = new WeakMap<Client, ConnectPacket>();
  // Each thing's last ending session, until its upstream is closed. A thing's newer ending waits for
  // its older one (through the newer session's opening), so the last is the one to wait for.
  const endings = new Map<string, Promise<void>>();
  let aedes: Aedes | undefined;
  let stopping = false;
  const compat = deps.iotButtonCompat ? createIotButtonCompat(log) : undefined;

  function deliver(s: Session, topic: string, payload: Buffer, qos: 0 | 1): void {
    if (s.state !== 'live' || !aedes) return;
    if (s.subscribing) {
      s.held.push({ topic, payload, qos });
      return;
    }
    // Not retained locally: AWS holds retained messages, this broker only relays.
    const packet = { cmd: 'publish', topic, payload, qos, retain: false, dup: false, clientId: FROM_AWS } as PublishPacket;
    aedes.publish(packet, () => undefined);
  }

  function flush(s: Session): void {
    if (s.subscribing > 0) return;
    for (const m of s.held.splice(0)) deliver(s, m.topic, m.payload, m.qos);
  }

  /** Ends a session once: its upstream closes after any Will it is publishing (idempotent). */
  function end(s: Session, reason: string): Promise<void> {
    if (s.ending) return s.ending;
    if (byThing.get(s.thing) === s) byThing.delete(s.thing);
    const wasLive = s.state === 'live';
    s.state = 'ended';
    s.agent?.stop();
    const ending = (async () => {
      const up = s.up ?? (await s.opening?.catch(() => undefined));
      s.up = undefined;
      if (!up) return;
      await s.willDone;
      await up.close();
      if (wasLive) log(`disconnected ${s.thing} (${reason})`);
    })();
    s.ending = ending;
    endings.set(s.thing, ending);
    void ending.finally(() => endings.get(s.thing) === ending && endings.delete(s.thing));
    return ending;
  }

  const hooks: DeviceSessions['hooks'] = {
    preConnect(client, packet, done) {
      connects.set(client, packet); // authenticate() needs the Will, which aedes does not pass it
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const thing = username ?? '';
      const refuse = (code: ReturnCode, reason: string) => {
        log(`refused ${thing || '(no username)'} from ${peer(client)}: ${reason}`);
        const err = new Error(reason) as AuthenticateError;
        err.returnCode = code;
        done(err, false);
      };
      let dev;
      try {
        dev = store.get(thing);
      } catch (err) {
        return refuse(SERVER_UNAVAILABLE, `gateway store unreadable: ${why(err)}`);
      }
      if (!dev) return refuse(NOT_AUTHORIZED, 'unknown device (not in the gateway store)');
      if (dev.revoked) return refuse(NOT_AUTHORIZED, 'revoked (npm run gateway -- revoke); provision it again to let it back');
      const v = verifyConnect(dev.thing, dev.secret, dev.counter, { clientId: client.id, username, password });
      if (!v.ok) return refuse(BAD_CREDENTIALS, v.reason);
      // Burn the counter before anything else can fail: this password has been on the wire.
      try {
        store.recordCounter(dev.thing, v.value);
      } catch (err) {
        return refuse(SERVER_UNAVAILABLE, `cannot record the counter in the gateway store: ${why(err)}`);
      }
      const w = decideWill(dev, connects.get(client)?.will);
      connects.delete(client);
      if (w.reason) return refuse(NOT_AUTHORIZED, w.reason);
      if (!existsSync(join(dev.certDir, CERT_FILE)) || !existsSync(join(dev.certDir, KEY_FILE))) {
        return refuse(SERVER_UNAVAILABLE, `no ${CERT_FILE} and ${KEY_FILE} in ${dev.certDir}`);
      }

      const s: Session = { thing: dev.thing, secret: dev.secret, topicPrefix: dev.topicPrefix, client, state: 'opening', will: w.will, upLost: false, subscribing: 0, held: [], registered: false };
      const old = byThing.get(s.thing);
      byThing.set(s.thing, s);
      byClient.set(client, s);
      client.conn.once('close', () => {
        // A device gone before aedes registered it gets no clientDisconnect event.
        if (!s.registered) void end(s, 'closed while connecting');
      });
      const counter = v.value;
      // AWS allows one connection per client id: the old upstream, live or still closing, must be
      // gone before the new one connects, or AWS takes the old one over and publishes its Will.
      const before = old ? end(old, 'replaced by a new connection') : (endings.get(s.thing) ?? Promise.resolve());
      s.opening = before.then(() =>
        openUpstream({
          ...deps.upstream,
          thing: s.thing,
          certDir: dev.certDir,
          will: s.will,
          connectTimeoutMs: deps.connectTimeoutMs,
          onMessage: (topic, payload, qos) => {
            if (!s.agent?.onMessage(topic, payload)) deliver(s, topic, payload, qos);
          },
          onLost: (reason) => {
            if (s.state !== 'live') return;
            s.upLost = true;
            // A refused iotbutton copy: the press itself was acknowledged (PUBACK written) before the copy went out.
            const cause = compat?.lost(s.thing, s.up) ? 'AWS refused the iotbutton copy' : reason;
            log(`upstream of ${s.thing} lost (${cause}): dropping the device so that it resends`);
            client.close();
          },
        }),
      );
      s.opening.then(
        (up) => {
          if (s.state !== 'opening') return void client.close(); // replaced meanwhile; end() closes `up`
          s.up = up;
          if (client.closed) return void end(s, 'device left while connecting');
          s.state = 'live';
          s.agent = deps.onUpstream?.(s.thing, up);
          log(`connected ${s.thing} from ${peer(client)} (counter ${counter})`);
          done(null, true);
        },
        (err: unknown) => {
          if (s.state !== 'opening') return;
          void end(s, 'upstream failed');
          refuse(SERVER_UNAVAILABLE, `cannot reach AWS IoT at ${deps.upstream.endpoint}:${deps.upstream.port} as ${s.thing}: ${why(err)}`);
        },
      );
    },

    authorizePublish(client, packet, done) {
      const s = client ? byClient.get(client) : undefined;
      if (!client || !s) return done(logged('no session'));
      if (client.closed) {
        // aedes publishes the Will of a device that vanished without DISCONNECT [MQTT-3.1.2-8]:
        // AWS must see it, unless the upstream already dropped (then AWS published it itself).
        if (s.state === 'live' && s.up && s.will && !s.upLost) {
          const will = s.will;
          log(`${s.thing} vanished: publishing its Will on ${will.topic}`);
          s.willDone = s.up.publish(will.topic, will.payload, will.qos, will.retain).catch((e: unknown) => log(`Will of ${s.thing} not delivered: ${why(e)}`));
        }
        return done(logged('the Will goes upstream only'));
      }
      if (s.state !== 'live' || !s.up) return done(logged('not connected upstream'));
      const topic = packet.topic;
      // The device's answers to the gateway's update (untagged, so they would be dropped as forged
      // events): they are the gateway's conversation, read by device-updates.ts from the broker's
      // publish events; AWS sees the outcome as the job execution's status.
      if (topic === thingRoot(s.topicPrefix, s.thing) + Topic.OtaOut) {
        packet.retain = false;
        return done(null);
      }
      const d = decidePublish(s, { topic, payload: Buffer.from(packet.payload), qos: packet.qos });
      if (d.action === 'refuse') {
        log(`refused publish from ${s.thing} to ${topic}: ${d.reason} (closing the connection, as AWS does)`);
        return done(logged(`publish refused: ${d.reason}`));
      }
      if (d.action === 'drop') {
        log(`dropped event from ${s.thing} on ${topic}: ${d.reason}`);
        packet.retain = false;
        return done(null); // the PUBACK, so that the device moves on
      }
      const up = s.up;
      up.publish(topic, d.payload, packet.qos === 1 ? 1 : 0, packet.retain).then(
        () => {
          packet.retain = false; // AWS keeps retained messages; the local broker must not
          done(null); // now aedes writes the PUBACK [MQTT-4.3.2-2], before the copy below can cost the connection
          compat?.afterAcknowledged(s.thing, s.topicPrefix, topic, d.payload, up);
        },
        (e: unknown) => {
          // No PUBACK: the device keeps the event and resends it on its next connection.
          log(`event from ${s.thing} on ${topic} not acknowledged by AWS (${why(e)}): closing so the device resends`);
          done(logged('not delivered upstream'));
        },
      );
    },

    authorizeSubscribe(client, sub, done) {
      const s = byClient.get(client);
      if (!s || s.state !== 'live' || !s.up) return done(null, null);
      if (!ownsTopic(s.topicPrefix, s.thing, sub.topic)) {
        log(`refused subscribe from ${s.thing} to ${sub.topic}: not its own topic`);
        return done(null, null); // SUBACK 0x80 [MQTT-3.9.3-2]
      }
      s.subscribing++;
      // AWS grants at most QoS 1; the granted QoS is what AWS granted.
      s.up.subscribe(sub.topic, sub.qos >= 1 ? 1 : 0).then(
        (granted) => {
          if (granted === 128) log(`AWS refused subscribe from ${s.thing} to ${sub.topic}`);
          done(null, granted === 128 ? null : ({ ...sub, qos: granted } as Subscription));
        },
        (e: unknown) => {
          log(`subscribe from ${s.thing} to ${sub.topic} failed upstream: ${why(e)}`);
          done(null, null);
        },
      ).finally(() =>
        // aedes registers the local subscription within done(); deliver what was held after it.
        setImmediate(() => {
          s.subscribing--;
          flush(s);
        }),
      );
    },

    authorizeForward(client, packet: AedesPublishPacket & { clientId?: string }) {
      const s = byClient.get(client);
      // Device publishes went to AWS already; only what AWS sent comes back down, and only to its thing.
      if (!s || packet.clientId !== FROM_AWS || !ownsTopic(s.topicPrefix, s.thing, packet.topic)) return null;
      return packet;
    },
  };

  return {
    hooks,
    attach(a) {
      aedes = a;
      a.on('client', (client) => {
        const s = byClient.get(client);
        if (s) s.registered = true;
      });
      a.on('clientDisconnect', (client) => {
        const s = byClient.get(client);
        if (s) void end(s, stopping ? 'gateway stopping' : s.upLost ? 'upstream lost' : 'device left');
      });
      a.on('unsubscribe', (topics, client) => {
        const s = byClient.get(client);
        if (!s || s.state !== 'live' || !s.up || client.closed) return;
        for (const t of topics) s.up.unsubscribe(t).catch((e: unknown) => log(`unsubscribe of ${s.thing} from ${t} failed upstream: ${why(e)}`));
      });
      // Refusals are logged where they are decided; this adds what aedes saw (keepalive timeouts, bad packets).
      a.on('clientError', (client, err) => {
        if (!(err as { logged?: boolean }).logged) log(`${client.id || 'device'} from ${peer(client)}: ${err.message}`);
      });
    },
    recheck() {
      for (const s of [...byThing.values()]) {
        let dev;
        try {
          dev = store.get(s.thing);
        } catch {
          continue; // unreadable for a moment (being written): the next change rechecks
        }
        const why = !dev ? 'removed from the gateway store' : dev.revoked ? 'revoked' : dev.secret !== s.secret ? 'its secret was rotated' : '';
        if (!why) continue;
        log(`closing ${s.thing}: ${why}`);
        void end(s, why);
        s.client.close();
      }
    },

    sendToDevice(thing, topic, payload) {
      const s = byThing.get(thing);
      if (!s || s.state !== 'live' || !ownsTopic(s.topicPrefix, s.thing, topic)) return false;
      deliver(s, topic, payload, 0);
      return true;
    },
    async shutdown(closeDevices) {
      stopping = true;
      await closeDevices();
      for (const s of [...byThing.values()]) void end(s, 'gateway stopping');
      await Promise.all([...endings.values()]);
    },
  };
}
