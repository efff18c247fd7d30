// The cloud-side view: an aws-iot-device-sdk-v2 client (mutual TLS) subscribed to the devices'
// topics, handing each message to a callback. It does not parse or judge messages (monitor does).
//
// Why the SDK's MQTT 3.1.1 connection and not its Mqtt5Client (probed with aws-crt 1.33):
// - the local broker (aedes 0.51) speaks only MQTT 3.1.1; Mqtt5Client fails there with
//   AWS_ERROR_MQTT5_DECODE_PROTOCOL_ERROR. AWS IoT Core accepts both.
// - Mqtt5Client keeps Node alive about 6-8 s after close(); the 3.1.1 connection lets the
//   process (and jest) exit as soon as disconnect() resolves.
import type { mqtt as MqttNs } from 'aws-iot-device-sdk-v2';
import { readFileSync } from 'node:fs';
import { UserError } from '../shared/errors';

export interface CloudWatcherOptions {
  /** Host name of the broker: AWS's ATS endpoint, or 127.0.0.1 for the local broker. */
  endpoint: string;
  /** Default 8883. */
  port?: number;
  /** PEM text or a path, for each of certificate, key and CA. */
  cert?: string;
  certPath?: string;
  key?: string;
  keyPath?: string;
  ca?: string;
  caPath?: string;
  /** Must be allowed by the certificate's policy (the local broker: the certificate's CN). */
  clientId: string;
  /** Topic filters, subscribed at QoS 1. */
  topics: string[];
  /** false keeps the session (and QoS 1 messages queued for it) across reconnects; default true. */
  cleanSession?: boolean;
  /** Connection lost and regained (the SDK reconnects by itself). */
  onStatus?: (event: 'interrupted' | 'resumed', detail: string) => void;
  /** A callback threw, or resubscribing failed. Defaults to stderr. */
  onError?: (err: unknown) => void;
}

export interface CloudWatcher {
  /** Resolves once connected and subscribed; rejects with a UserError saying what to check. */
  ready: Promise<void>;
  /** Disconnects (after a pending connect settles). Safe to call at any time, more than once. */
  close(): Promise<void>;
}

export const DEFAULT_MQTT_PORT = 8883;
/** What a SUBACK carries for a refused subscription [MQTT-3.9.3]. */
const SUBACK_FAILURE = 128;

function pem(text: string | undefined, path: string | undefined, what: string, flag: string): string {
  if (text) return text;
  if (!path) throw new UserError(`No ${what} given for the MQTT connection: pass ${flag} FILE.`, 'identity-missing');
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`Cannot read the ${what} ${path}: check the path given with ${flag}.`, 'identity-missing');
  }
}

/** Names the likely cause of an SDK connect failure (the SDK rejects with a bare string). */
export function explainConnectError(raw: unknown, endpoint: string, port: number, clientId: string): UserError {
  const text = String(raw);
  const where = `${endpoint}:${port}`;
  const code = /AWS_[A-Z0-9_]+/.exec(text)?.[0] ?? text;
  if (/CONNECTION_REFUSED/.test(code)) {
    return new UserError(`Nothing is listening on ${where}: start the local broker with \`npm start\`, or pass the broker's --endpoint and --port.`, 'mqtt-unreachable');
  }
  if (/DNS|NO_ROUTE|NETWORK_UNREACHABLE|SOCKET_TIMEOUT/.test(code)) {
    return new UserError(`Cannot reach ${where} (${code}): check --endpoint (for AWS, the ATS endpoint from aws-setup) and the network.`, 'mqtt-unreachable');
  }
  if (/TLS_NEGOTIATION_TIMEOUT/.test(code)) {
    return new UserError(`${where} accepted the connection but never finished the TLS handshake: check that --port is the broker's MQTT-over-TLS port (8883).`, 'mqtt-tls');
  }
  if (/TLS/.test(code)) {
    return new UserError(
      `The TLS handshake with ${where} failed (${code}): check that --ca is the CA that signed the server's certificate (AmazonRootCA1.pem for AWS IoT, certs/dev/ca.crt for the local broker).`,
      'mqtt-tls',
    );
  }
  if (/SOCKET_CLOSED|UNEXPECTED_HANGUP/.test(code)) {
    return new UserError(`${where} closed the connection during the handshake: it does not accept this certificate (check it is active and signed by a CA the broker trusts).`, 'mqtt-refused');
  }
  if (/PROTOCOL_ERROR|CONNECTION_REFUSED|NOT_AUTHORIZED/.test(code)) {
    return new UserError(
      `${where} refused the connection as client id "${clientId}": use a client id the certificate's policy allows (the local broker wants the certificate's CN).`,
      'mqtt-refused',
    );
  }
  return new UserError(`Could not connect to ${where} (${text}): check --endpoint, --port and the certificate files.`, 'mqtt-unreachable');
}

export function createCloudWatcher(opts: CloudWatcherOptions, onMessage: (topic: string, payload: string) => void): CloudWatcher {
  const port = opts.port ?? DEFAULT_MQTT_PORT;
  const report = (err: unknown) => {
    // Nothing may throw back into the SDK: an exception in a native callback aborts the process.
    try {
      if (opts.onError) opts.onError(err);
      else process.stderr.write(`cloud watcher: ${err instanceof Error ? err.message : String(err)}\n`);
    } catch {
      // ignore: there is nowhere left to report to
    }
  };
  let conn: MqttNs.MqttClientConnection | undefined;
  let connected = false;

  const deliver = (topic: string, payload: ArrayBuffer) => {
    try {
      onMessage(topic, Buffer.from(payload).toString('utf8'));
    } catch (err) {
      report(err);
    }
  };

  async function subscribeAll(c: MqttNs.MqttClientConnection, qos: MqttNs.QoS): Promise<void> {
    for (const topic of opts.topics) {
      const granted = await c.subscribe(topic, qos, deliver);
      if ((granted.qos as number) === SUBACK_FAILURE) {
        throw new UserError(
          `The broker refused the subscription to ${topic} for "${opts.clientId}": use an identity whose policy allows it (on the local broker, the observer certificate).`,
          'mqtt-subscribe-refused',
        );
      }
    }
  }

  async function disconnect(): Promise<void> {
    if (!connected || !conn) return;
    connected = false;
    await conn.disconnect().catch(() => undefined);
  }

  const ready = (async () => {
    const cert = pem(opts.cert, opts.certPath, 'certificate', '--cert');
    const key = pem(opts.key, opts.keyPath, 'private key', '--key');
    const ca = pem(opts.ca, opts.caPath, 'CA certificate', '--ca');
    const { mqtt, iot } = await import('aws-iot-device-sdk-v2');
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(cert, key)
      .with_certificate_authority(ca)
      .with_endpoint(opts.endpoint)
      .with_port(port)
      .with_client_id(opts.clientId)
      .with_clean_session(opts.cleanSession ?? true)
      // AWS IoT accepts keepalive 30..1200 s.
      .with_keep_alive_seconds(30)
      .with_reconnect_min_sec(1)
      .with_reconnect_max_sec(10)
      .build();
    const c = new mqtt.MqttClient().new_connection(config);
    conn = c;
    // connect() rejects with the same error; without a listener an 'error' event would throw.
    c.on('error', () => undefined);
    c.on('interrupt', (err) => opts.onStatus?.('interrupted', String(err)));
    c.on('resume', (_rc, sessionPresent) => {
      try {
        opts.onStatus?.('resumed', sessionPresent ? 'session kept' : 'new session');
        // A clean session lost its subscriptions, and aws-crt's 3.1.1 client does not restore them.
        if (!sessionPresent) subscribeAll(c, mqtt.QoS.AtLeastOnce).catch(report);
      } catch (err) {
        report(err);
      }
    });
    try {
      await c.connect();
    } catch (err) {
      throw explainConnectError(err, opts.endpoint, port, opts.clientId);
    }
    connected = true;
    try {
      await subscribeAll(c, mqtt.QoS.AtLeastOnce);
    } catch (err) {
      await disconnect();
      throw err;
    }
  })();
  // Callers that only close() must not get an unhandled rejection; awaiting `ready` still throws.
  ready.catch(() => undefined);

  return {
    ready,
    async close() {
      await ready.catch(() => undefined);
      await disconnect();
    },
  };
}
