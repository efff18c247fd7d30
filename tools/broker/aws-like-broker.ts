// A local MQTT broker (aedes behind mutual TLS) that enforces what AWS IoT Core enforces for a thing:
// client id = certificate CN, topics only under the thing's own prefixes, no QoS 2, one connection per id.
// It also serves the AWS IoT Jobs MQTT API subset the gateway uses (jobs-mqtt.ts) from `jobs`.
// It is not AWS: no shadows, rules (but the one iot-button-rule.ts emulates), rate limits, keepalive range or payload-size limits.
import { createServer, type TLSSocket } from 'node:tls';
import type { Socket as NetSocket } from 'node:net';
import type { EventEmitter } from 'node:events';
import Aedes, { type AuthenticateError, type Client } from 'aedes';
import type { DevPki } from '../pki/dev-pki';
import { ownsTopic, Topic } from '../../firmware/core/wire-contract';
import { createLocalJobs, type LocalJobsStore } from './local-jobs';
import { serveJobsMqtt } from './jobs-mqtt';
import { jobsRoot } from '../ota/jobs-topics';
import { UPDATE_CLIENT_SUFFIX } from '../aws-setup/update-client-policy';
import { emulateIotButtonRule } from './iot-button-rule';

export interface AwsLikeBrokerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  pki: DevPki;
  log?: (line: string) => void;
  /**
   * The topic prefix the account's policy allows things (aws-setup --topic-prefix, config
   * mqtt.topicPrefix). Default the wire contract's, `devices`.
   */
  topicPrefix?: string;
  /**
   * Certificate CNs that may publish and subscribe anywhere under the prefix and $aws/things/ (a
   * backend or a test harness watching every thing). Default ['observer'].
   */
  observers?: string[];
  /** Things may also publish on iotbutton/<thing> (their policy with aws-setup --iot-button-compat gateway). */
  iotButton?: boolean;
  /** Emulate the AWS IoT rule aws-setup --iot-button-compat makes: presses republished on iotbutton/<thing> (iot-button-rule.ts). */
  iotButtonRule?: boolean;
  /** aedes persistence to use; pass the same one to a restarted broker so sessions survive it. */
  persistence?: unknown;
  /** The AWS IoT Jobs it serves; pass the same one to a restarted broker so jobs survive it, as AWS's do. */
  jobs?: LocalJobsStore;
}

export interface AwsLikeBroker {
  port: number;
  close(): Promise<void>;
  aedes: Aedes;
  /** Its AWS IoT Jobs: CreateJob and the rest of the control plane, locally. */
  jobs: LocalJobsStore;
}

const NOT_AUTHORIZED = 5;

// The CN is read once at CONNECT and kept, because a Will is authorized after the socket is gone.
const cnOf = new WeakMap<Client, string>();

function peerCn(client: Client | null): string | undefined {
  if (!client) return undefined;
  const known = cnOf.get(client);
  if (known !== undefined) return known;
  const cn = (client.conn as TLSSocket).getPeerCertificate?.()?.subject?.CN;
  if (typeof cn !== 'string') return undefined;
  cnOf.set(client, cn);
  return cn;
}

export function startAwsLikeBroker(opts: AwsLikeBrokerOptions): Promise<AwsLikeBroker> {
  const log = opts.log ?? (() => {});
  const observers = new Set(opts.observers ?? ['observer']);
  const prefix = opts.topicPrefix ?? Topic.DefaultPrefix;

  // A thing owns its own topics, as an AWS policy keyed on the thing name allows (the wire contract's rule).
  const allowed = (cn: string | undefined, topic: string): boolean => {
    if (cn === undefined) return false;
    // A backend's policy may watch the AWS IoT Button copies; a thing may publish its own only if its policy says so.
    if (observers.has(cn) ? topic.startsWith('iotbutton/') : opts.iotButton && topic === `iotbutton/${cn}`) return true;
    if (observers.has(cn)) return topic.startsWith(prefix + '/') || topic.startsWith('$aws/things/');
    return ownsTopic(prefix, cn, topic) || topic.startsWith(jobsRoot(cn));
  };

  // aws-setup's policy also lets the thing's certificate connect as <thing>-update (npm run update
  // executing a direct board's job), for the thing's jobs and ota topics only.
  const updateClient = (client: Client | null, cn: string | undefined) => !!client && cn !== undefined && client.id === cn + UPDATE_CLIENT_SUFFIX;
  const allowedTo = (client: Client | null, topic: string): boolean => {
    const cn = peerCn(client);
    if (cn === undefined || !updateClient(client, cn)) return allowed(cn, topic);
    return topic.startsWith(jobsRoot(cn)) || topic === `${prefix}/${cn}/${Topic.OtaIn}` || topic === `${prefix}/${cn}/${Topic.OtaOut}`;
  };

  const aedes = new Aedes({
    ...(opts.persistence ? { persistence: opts.persistence as never } : {}),
    authenticate(client, _username, _password, done) {
      const cn = peerCn(client);
      // AWS's usual policy: a certificate may connect only as its own thing name.
      if (cn === undefined || (client.id !== cn && !updateClient(client, cn)) || /[/+#]/.test(cn)) {
        log(`refused ${client.id}: client id must equal the certificate CN (${cn ?? 'none'})`);
        const err = new Error('not authorized') as AuthenticateError;
        err.returnCode = NOT_AUTHORIZED as AuthenticateError['returnCode'];
        return done(err, false);
      }
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const cn = peerCn(client);
      // AWS answers a forbidden or QoS 2 publish by closing the connection; an error here does that.
      if (packet.qos === 2) {
        log(`drop ${client?.id}: QoS 2 publish to ${packet.topic}`);
        return done(new Error('QoS 2 is not supported'));
      }
      if (!allowedTo(client, packet.topic)) {
        log(`drop ${client?.id}: publish to ${packet.topic} not allowed`);
        return done(new Error(`publish to ${packet.topic} not allowed`));
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      if (!allowedTo(client, sub.topic)) {
        log(`deny ${client.id}: subscribe to ${sub.topic}`);
        return done(null, null); // SUBACK 0x80 [MQTT-3.9.3]
      }
      // QoS 2 requests were already lowered to 1 as they arrived (see the server below).
      done(null, sub);
    },
  });

  const jobs = opts.jobs ?? createLocalJobs();
  const stopJobs = serveJobsMqtt(aedes, jobs, log);
  if (opts.iotButtonRule) emulateIotButtonRule(aedes, prefix, log);
  aedes.on('client', (c) => log(`connected ${c.id}`));
  aedes.on('clientDisconnect', (c) => log(`disconnected ${c.id}`));
  aedes.on('clientError', (c, e) => log(`error ${c.id}: ${e.message}`));
  aedes.on('connectionError', (_c, e) => log(`connection error: ${e.message}`));

  const server = createServer(
    {
      key: opts.pki.server.key,
      cert: opts.pki.server.cert,
      ca: opts.pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket) => {
      const client = aedes.handle(socket) as unknown as { _parser: EventEmitter };
      // aedes 0.51 answers SUBACK with the QoS asked for, whatever authorizeSubscribe granted, so
      // lower QoS 2 requests to 1 on the parsed packet before aedes sees it (AWS grants at most 1).
      client._parser.prependListener('packet', (packet: { cmd: string; subscriptions?: { qos: number }[] }) => {
        if (packet.cmd === 'subscribe') for (const s of packet.subscriptions ?? []) if (s.qos > 1) s.qos = 1;
      });
    },
  );
  // Every raw socket, handshaking or not, so close() can end them all and jest can exit.
  const sockets = new Set<NetSocket>();
  server.on('connection', (s: NetSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (e) => log(`tls: ${e.message}`));

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      log(`listening on ${opts.host ?? '127.0.0.1'}:${port}`);
      resolve({
        port,
        aedes,
        jobs,
        close: () =>
          new Promise<void>((done) => {
            stopJobs();
            aedes.close(() => {
              for (const s of sockets) s.destroy();
              server.close(() => done());
            });
          }),
      });
    });
  });
}
