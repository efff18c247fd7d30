// One device's own connection to AWS IoT: mutual TLS with the thing's certificate, client id =
// thing name, through aws-iot-device-sdk-v2. It does not retry on its own behalf: when the link
// drops it reports `lost` once and stops, and the gateway drops the device so that the device's
// flash outbox, the single retry queue, resends.
//
// Why the SDK's MQTT 3.1.1 connection rather than its Mqtt5Client: the device speaks 3.1.1, the
// gateway's broker (aedes 0.51) and our AWS-like test broker speak only 3.1.1, and nothing here
// needs an MQTT 5 feature; AWS IoT treats both alike. (It also lets Node exit at once after
// disconnect(), where the Mqtt5Client keeps it alive for ~8 s.)
import { mqtt, iot } from 'aws-iot-device-sdk-v2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { amazonRootCa1Pem, CERT_FILE, KEY_FILE } from '../certificates';

export interface UpstreamTarget {
  endpoint: string;
  port: number;
  /** Undefined: Amazon Root CA 1 from Node's root store. */
  caPath?: string;
}

export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface UpstreamOptions extends UpstreamTarget {
  thing: string;
  /** Default the thing name; `npm run update` connects as <thing>-update beside the board itself. */
  clientId?: string;
  certDir: string;
  will?: WillMessage;
  /** Everything AWS delivers on this connection (the SDK PUBACKs it on receipt). */
  onMessage(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): void;
  /** The link dropped or failed after connecting; called at most once, not after close(). */
  onLost(reason: string): void;
  connectTimeoutMs?: number;
}

export interface Upstream {
  /** Resolves when AWS acknowledged (QoS 1) or the packet was written (QoS 0). */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void>;
  /** Resolves to the granted QoS, or 128 when AWS refused the filter. */
  subscribe(filter: string, qos: 0 | 1): Promise<number>;
  unsubscribe(filter: string): Promise<void>;
  /** Clean DISCONNECT: AWS discards the Will. Safe to call twice. */
  close(): Promise<void>;
}

const qos = (q: 0 | 1) => (q === 1 ? mqtt.QoS.AtLeastOnce : mqtt.QoS.AtMostOnce);

export async function openUpstream(o: UpstreamOptions): Promise<Upstream> {
  let builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(join(o.certDir, CERT_FILE), join(o.certDir, KEY_FILE))
    .with_certificate_authority(o.caPath !== undefined ? readFileSync(o.caPath, 'utf8') : amazonRootCa1Pem())
    .with_endpoint(o.endpoint)
    .with_port(o.port)
    .with_client_id(o.clientId ?? o.thing)
    // Clean: nothing is owed across connections, the device resends what was not acknowledged.
    .with_clean_session(true)
    .with_keep_alive_seconds(60)
    .with_timeout_ms(10000);
  // The Will is AWS's to publish if the gateway itself vanishes (crash, power cut, network).
  if (o.will) builder = builder.with_will(new mqtt.MqttWill(o.will.topic, qos(o.will.qos), o.will.payload, o.will.retain));
  const conn = new mqtt.MqttClient().new_connection(builder.build());

  let state: 'connecting' | 'up' | 'lost' | 'closed' = 'connecting';
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (!closing) {
      state = state === 'lost' ? 'lost' : 'closed';
      closing = conn.disconnect().catch(() => undefined);
    }
    return closing;
  };

  conn.on('message', (topic, payload, _dup, q, retain) => {
    if (state === 'up') o.onMessage(topic, Buffer.from(payload), q === mqtt.QoS.AtMostOnce ? 0 : 1, retain);
  });
  conn.on('interrupt', (err) => {
    if (state !== 'up') return;
    state = 'lost';
    void close(); // stop the SDK's own reconnect: the device reconnects instead
    o.onLost(err.message);
  });
  // Unhandled 'error' events would crash the process; failures surface through connect/interrupt.
  conn.on('error', () => undefined);

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      conn.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no CONNACK within ${(o.connectTimeoutMs ?? 15000) / 1000} s`)), o.connectTimeoutMs ?? 15000);
      }),
    ]);
  } catch (err) {
    await close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  if (state !== 'connecting') {
    await close();
    throw new Error('connection lost while connecting');
  }
  state = 'up';

  return {
    async publish(topic, payload, q, retain) {
      if (state !== 'up') throw new Error('upstream is not connected');
      await conn.publish(topic, payload, qos(q), retain);
    },
    async subscribe(filter, q) {
      if (state !== 'up') throw new Error('upstream is not connected');
      const r = await conn.subscribe(filter, qos(q));
      return r.error_code || r.qos > 1 ? 128 : r.qos;
    },
    async unsubscribe(filter) {
      if (state !== 'up') return;
      await conn.unsubscribe(filter);
    },
    close,
  };
}
