// A gateway wired to the AWS-like broker for one test file: temp dev PKI, store with devices,
// an observer watching devices/# on the broker side, and MQTT.js devices speaking to the gateway
// with credentials from the firmware's own gateway-auth functions.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { connectPassword, tagEvent } from '../../../firmware/core/gateway-auth';
import { sha1 } from '../../../tools/shared/sha1';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../../tools/broker/aws-like-broker';
import { addDevice, generateDeviceSecret } from '../../../tools/gateway/device-store';
import { startGateway, type Gateway, type GatewayOptions } from '../../../tools/gateway/run';
import { CERT_FILE, KEY_FILE } from '../../../tools/certificates';
import { createTempPki, type TempPki } from '../../support/pki';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface Fixture {
  dir: string;
  storeDir: string;
  temp: TempPki;
  broker: AwsLikeBroker;
  gateway: Gateway;
  logs: string[];
  /** What the AWS-like broker logged (refusals, drops). */
  brokerLogs: string[];
  secrets: Record<string, string>;
  /** Everything the observer saw on devices/# and iotbutton/#, in arrival order. */
  seen: Received[];
  observer: MqttClient;
  startGateway(port?: number, extra?: Partial<GatewayOptions>): Promise<Gateway>;
  /** Resolves once the observer has seen a message matching `pred`. */
  waitSeen(pred: (m: Received) => boolean): Promise<Received>;
  /** MQTT.js options for `thing` with the next counter value (or the one given). */
  deviceOptions(thing: string, counter?: number, extra?: IClientOptions): IClientOptions;
  connectDevice(thing: string, counter?: number, extra?: IClientOptions): Promise<MqttClient>;
  tag(thing: string, topic: string, payload: string): string;
  close(): Promise<void>;
}

/** iotButton: things may publish iotbutton/<thing>; iotButtonRule: the broker emulates the AWS IoT rule. */
export async function createFixture(things: string[], o: { iotButton?: boolean; iotButtonRule?: boolean } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-'));
  const storeDir = join(dir, 'store');
  const temp = createTempPki();
  const secrets: Record<string, string> = {};
  const counters: Record<string, number> = {};
  for (const thing of things) {
    const id = temp.pki.client(thing);
    const certDir = join(storeDir, 'certs', thing);
    mkdirSync(certDir, { recursive: true });
    copyFileSync(id.certPath, join(certDir, CERT_FILE));
    copyFileSync(id.keyPath, join(certDir, KEY_FILE));
    secrets[thing] = generateDeviceSecret();
    counters[thing] = 0;
    addDevice(storeDir, { thing, secret: secrets[thing], certDir: join('certs', thing) });
  }
  const brokerLogs: string[] = [];
  const broker = await startAwsLikeBroker({ port: 0, pki: temp.pki, iotButton: o.iotButton, iotButtonRule: o.iotButtonRule, log: (l) => brokerLogs.push(l) });
  const logs: string[] = [];
  const seen: Received[] = [];
  const waiters: { pred: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  const observer = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, {
    ...temp.tlsFor('observer'),
    clientId: 'observer',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  observer.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString('latin1'), retain: packet.retain };
    seen.push(m);
    for (const w of waiters.splice(0)) {
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
    }
  });
  await observer.subscribeAsync(['devices/#', 'iotbutton/#'], { qos: 1 });

  const devices = new Set<MqttClient>();
  const fx: Fixture = {
    dir,
    storeDir,
    temp,
    broker,
    gateway: undefined as unknown as Gateway,
    logs,
    brokerLogs,
    secrets,
    seen,
    observer,
    async startGateway(port = 0, extra: Partial<GatewayOptions> = {}) {
      // One gateway at a time: a replaced one left running keeps its server and its watch on
      // devices.json open, and jest's worker never exits (close() is idempotent).
      await fx.gateway?.close();
      fx.gateway = await startGateway({
        ...extra,
        bind: '127.0.0.1',
        port,
        store: storeDir,
        upstream: { endpoint: '127.0.0.1', port: broker.port, caPath: temp.pki.caPath },
        log: (l) => logs.push(l),
      });
      return fx.gateway;
    },
    waitSeen(pred) {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    deviceOptions(thing, counter, extra) {
      const n = counter ?? (counters[thing] ?? 0) + 1;
      counters[thing] = Math.max(counters[thing] ?? 0, n);
      return {
        clientId: thing,
        username: thing,
        password: connectPassword(thing, secrets[thing] ?? generateDeviceSecret(), n, sha1),
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10000,
        ...extra,
      };
    },
    async connectDevice(thing, counter, extra) {
      const c = mqtt.connect(`mqtt://127.0.0.1:${fx.gateway.port}`, fx.deviceOptions(thing, counter, extra));
      devices.add(c);
      return new Promise<MqttClient>((resolve, reject) => {
        c.once('connect', () => resolve(c));
        c.once('error', (e) => {
          c.end(true);
          reject(e);
        });
      });
    },
    tag: (thing, topic, payload) => tagEvent(topic, payload, secrets[thing], sha1),
    async close() {
      for (const c of devices) await c.endAsync(true).catch(() => undefined);
      await fx.gateway?.close();
      await observer.endAsync(true);
      await broker.close();
      temp.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await fx.startGateway();
  return fx;
}

/** A device that keeps presses until PUBACK and resends after any reconnect, one in flight (like the firmware). */
export interface TestDevice {
  press(payload: string): void;
  /** Resolves when every press has been acknowledged. */
  drained(): Promise<void>;
  connects: number;
  stop(): Promise<void>;
}

export function createTestDevice(fx: Fixture, thing: string, port: () => number): TestDevice {
  const outbox: string[] = [];
  const topic = `devices/${thing}/events/button`;
  let client: MqttClient | undefined;
  let inflight = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const drainWaiters: (() => void)[] = [];
  const dev: TestDevice = {
    connects: 0,
    press(payload) {
      outbox.push(fx.tag(thing, topic, payload));
      pump();
    },
    drained() {
      if (outbox.length === 0) return Promise.resolve();
      return new Promise((r) => drainWaiters.push(r));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await client?.endAsync(true).catch(() => undefined);
    },
  };
  function pump() {
    if (!client?.connected || inflight || outbox.length === 0) return;
    inflight = true;
    const c = client;
    c.publish(topic, outbox[0], { qos: 1 }, (err) => {
      if (c !== client) return; // an old connection's late answer
      inflight = false;
      if (err) return;
      outbox.shift();
      if (outbox.length === 0) for (const w of drainWaiters.splice(0)) w();
      pump();
    });
  }
  function connect() {
    if (stopped) return;
    const c = mqtt.connect(`mqtt://127.0.0.1:${port()}`, fx.deviceOptions(thing));
    client = c;
    inflight = false;
    c.on('connect', () => {
      dev.connects++;
      pump();
    });
    c.on('error', () => undefined);
    c.on('close', () => {
      if (c !== client) return;
      inflight = false;
      c.end(true);
      // Reconnect soon with a fresh counter; a real device backs off longer.
      if (!stopped) timer = setTimeout(connect, 100);
    });
  }
  connect();
  return dev;
}
