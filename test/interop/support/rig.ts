// Building blocks for end-to-end tests that mix brokers and paths: the AWS-like broker or mosquitto,
// an SDK watcher on the cloud side, the LAN gateway, and virtual NodeMCUs running the exact bundle,
// either direct (esp32, TLS) or through the gateway (esp8266, TCP). Used by interop, faults and
// security tests. It asserts nothing itself: tests judge what it collects.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import aedesPersistence from 'aedes-persistence';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../../tools/broker/aws-like-broker';
import { createLocalJobs, type LocalJobsStore } from '../../../tools/broker/local-jobs';
import { createCloudWatcher, type CloudWatcher } from '../../../tools/monitor/cloud-watcher';
import type { DevPki } from '../../../tools/pki/dev-pki';
import { generateDeviceSecret } from '../../../tools/gateway/device-store';
import { enrolDevice } from '../../../tools/provision/gateway-enrolment';
import type { DeviceUpdates } from '../../../tools/gateway/device-updates';
import { startGateway, type Gateway } from '../../../tools/gateway/run';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto';
import { eventFilter, eventTopic, statusFilter, Topic, type ButtonEvent, type CloudMessage } from '../../../firmware/core/wire-contract';

import { createWorkspace, type Workspace } from './workspace';

export { ROOT, createWorkspace, type Workspace } from './workspace';
export { sleep, until } from './wait';
export type BrokerKind = 'aws-like' | 'mosquitto';

/** Either broker behind one face: stop/start keep the port and the sessions. */
export interface RigBroker {
  kind: BrokerKind;
  port: number;
  log: string[];
  /** The AWS-like broker's AWS IoT Jobs (kept across stop/start, as AWS keeps them); none on mosquitto. */
  jobs?: LocalJobsStore;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRigBroker(kind: BrokerKind, pki: DevPki): Promise<RigBroker> {
  if (kind === 'mosquitto') {
    const m: Mosquitto = await startMosquitto({ pki });
    return { kind, port: m.port, log: m.log, stop: m.stop, start: m.start, close: m.close };
  }
  const log: string[] = [];
  const persistence = aedesPersistence();
  const jobs = createLocalJobs();
  let b: AwsLikeBroker | undefined = await startAwsLikeBroker({ port: 0, pki, persistence, jobs, log: (l) => log.push(l) });
  const port = b.port;
  return {
    kind,
    port,
    log,
    jobs,
    async stop() {
      await b?.close();
      b = undefined;
    },
    async start() {
      if (!b) b = await startAwsLikeBroker({ port, pki, persistence, jobs, log: (l) => log.push(l) });
    },
    async close() {
      await b?.close();
      b = undefined;
    },
  };
}

export type { ButtonEvent, CloudMessage } from '../../../firmware/core/wire-contract';

/** The cloud side: an aws-iot-device-sdk-v2 client as 'observer', with a persistent session. */
export interface Watcher {
  messages: CloudMessage[];
  /** Button events of one thing, in arrival order. */
  events(thing: string): ButtonEvent[];
  /** Raw payloads of one thing's button events, in arrival order. */
  payloads(thing: string): string[];
  close(): Promise<void>;
}

export async function startWatcher(pki: DevPki, port: number): Promise<Watcher> {
  const id = pki.client('observer');
  const messages: CloudMessage[] = [];
  const w: CloudWatcher = createCloudWatcher(
    {
      endpoint: '127.0.0.1',
      port,
      cert: id.cert,
      key: id.key,
      ca: pki.ca,
      clientId: 'observer',
      topics: [eventFilter(Topic.DefaultPrefix), statusFilter(Topic.DefaultPrefix)],
      cleanSession: false,
      onError: () => undefined,
    },
    (topic, payload) => messages.push({ topic, payload }),
  );
  await w.ready;
  const payloads = (thing: string) => messages.filter((m) => m.topic === eventTopic(Topic.DefaultPrefix, thing)).map((m) => m.payload);
  return {
    messages,
    payloads,
    events: (thing) => payloads(thing).map((p) => JSON.parse(p) as ButtonEvent),
    close: () => w.close(),
  };
}

/** The LAN gateway with its own store, forwarding to `upstreamPort` on loopback. */
export interface RigGateway {
  port: number;
  storeDir: string;
  logs: string[];
  /** Enrols a thing (certificate from the PKI, a fresh secret) and returns its secret. */
  enrol(thing: string): string;
  /** The running gateway's updater. */
  updates(): DeviceUpdates;
  /** Stops and starts it again on the same port (the store, and so the counters, are kept). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRigGateway(pki: DevPki, dir: string, upstreamPort: number): Promise<RigGateway> {
  const storeDir = join(mkdtempSync(join(dir, 'gw-')), 'store');
  const logs: string[] = [];
  const open = (port: number) =>
    startGateway({
      bind: '127.0.0.1',
      port,
      store: storeDir,
      upstream: { endpoint: '127.0.0.1', port: upstreamPort, caPath: pki.caPath },
      log: (l) => logs.push(l),
      connectTimeoutMs: 5000,
      updateStepMs: 1000,
      jobProgressMs: 300,
    });
  let gw: Gateway | undefined = await open(0);
  const port = gw.port;
  return {
    port,
    storeDir,
    logs,
    enrol(thing) {
      const id = pki.client(thing);
      const secret = generateDeviceSecret();
      enrolDevice(storeDir, thing, secret, { certPem: id.cert, keyPem: id.key });
      return secret;
    },
    updates: () => gw!.updates!,
    async restart() {
      await gw?.close();
      gw = await open(port);
    },
    async close() {
      await gw?.close();
      gw = undefined;
    },
  };
}

/** The stack most suites share: a workspace, a broker, the cloud-side watcher and the LAN gateway. */
export interface Rig {
  ws: Workspace;
  broker: RigBroker;
  watcher: Watcher;
  gw: RigGateway;
  /** Stops the gateway, the watcher and the broker, then removes the workspace. Devices are the suite's. */
  close(): Promise<void>;
}

/**
 * Starts the shared stack on a `kind` broker. `gatewayUpstream` puts something between the
 * gateway's AWS side and the broker (a fault proxy): it gets the broker's port and returns the one
 * the gateway should use.
 */
export async function startRig(kind: BrokerKind, gatewayUpstream?: (brokerPort: number) => Promise<number>): Promise<Rig> {
  const ws = await createWorkspace();
  const broker = await startRigBroker(kind, ws.pki);
  const watcher = await startWatcher(ws.pki, broker.port);
  const gw = await startRigGateway(ws.pki, ws.dir, gatewayUpstream ? await gatewayUpstream(broker.port) : broker.port);
  return {
    ws,
    broker,
    watcher,
    gw,
    async close() {
      await gw.close();
      await watcher.close();
      await broker.close();
      ws.cleanup();
    },
  };
}

export { FAST_CONFIG, HOLD_MS, deviceConfig, startRigDevice, type DevicePath, type RigDevice } from './rig-device';
export { checkDelivery } from './delivery';
