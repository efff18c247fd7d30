// The no-hardware demo as a library: a virtual NodeMCU running the exact bundle, an AWS-like
// broker (with the AWS IoT Button rule), and a cloud-side SDK client watching what arrives.
// `npm start` and the end-to-end tests both drive it; the terminal UI lives in terminal-ui.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevPki, pemToDer, type DevPki } from '../pki/dev-pki';
import { startAwsLikeBroker } from '../broker/aws-like-broker';
import { createLocalJobs, type LocalJobsStore } from '../broker/local-jobs';
import { freshLog, slotFile } from '../flash/write-slots';
import { createVirtualDevice, type VirtualDevice } from '../simulator/device';
import { createCloudWatcher } from '../monitor/cloud-watcher';
import aedesPersistence from 'aedes-persistence';
import { startGateway, type Gateway } from '../gateway/run';
import { generateDeviceSecret } from '../gateway/device-store';
import { enrolDevice } from '../provision/gateway-enrolment';
import { iotButtonTopic } from '../shared/iot-button-shape';
import { eventFilter, isEventTopic, statusFilter, Topic, type CloudMessage as WireMessage } from '../../firmware/core/wire-contract';

export type Gesture = 'single' | 'double' | 'long';

export interface DemoOptions {
  cwd: string;
  profile: 'esp8266' | 'esp32';
  thing?: string;
  /** Persist the virtual device's flash here; omitted = in memory. */
  flashFile?: string;
  /** Fixed broker port; 0 = ephemeral (tests). */
  brokerPort?: number;
  /** Extra config.json fields for the device (timings, gestures off, ...). */
  deviceConfig?: Record<string, unknown>;
  bundle?: string;
  /**
   * Flash the device as `npm run flash` does (the loader as .bootcde, the bundle in slot fw.a, the
   * update receiver, a fresh boot log), so it can take updates: the built loader and receiver files.
   */
  ab?: { loader: string; receiver: string };
  /** Where the development PKI lives; default certs/dev under cwd. */
  pkiDir?: string;
  /** Replace config.json with this text (to show how the device handles a bad one). */
  rawConfig?: string;
  /** Also keep the good config as config.bak, as provision does before it rewrites config.json. */
  backupConfig?: boolean;
  /**
   * How the device reaches the broker. Default: a stock ESP8266 (no tls module) goes through the
   * LAN gateway, an ESP32 connects with TLS itself.
   */
  via?: 'gateway' | 'direct';
  /** The device's topic prefix (config mqtt.topicPrefix); broker, gateway and watcher follow it. Default `devices`. */
  topicPrefix?: string;
  onGatewayLog?: (line: string) => void;
  onConsole?: (line: string) => void;
  onLed?: (lit: boolean) => void;
  onCloud?: (topic: string, payload: string) => void;
  log?: (line: string) => void;
}

/** What the cloud side saw, and when (ms). */
export interface CloudMessage extends WireMessage {
  at: number;
}

export interface Demo {
  device: VirtualDevice;
  via: 'gateway' | 'direct';
  gatewayPort?: number;
  pki: DevPki;
  brokerPort: number;
  thing: string;
  /** The AWS-like broker's AWS IoT Jobs (kept across its restarts): CreateJob there and the gateway executes it. */
  jobs: LocalJobsStore;
  messages: CloudMessage[];
  press(g: Gesture): Promise<void>;
  /** Resolves when `count` button events have reached the cloud side, rejects after timeoutMs. */
  waitForEvents(count: number, timeoutMs: number): Promise<CloudMessage[]>;
  brokerDown(): Promise<void>;
  brokerUp(): Promise<void>;
  brokerIsUp(): boolean;
  close(): Promise<void>;
}

const LONG_HOLD_MS = 1800;

export function provisionVirtualDevice(device: VirtualDevice, pki: DevPki, thing: string, config: Record<string, unknown>, bundle: string, withTlsIdentity: boolean) {
  if (withTlsIdentity) {
    const id = pki.client(thing);
    device.storage.write('key.der', pemToDer(id.key));
    device.storage.write('cert.der', pemToDer(id.cert));
    device.storage.write('ca.der', pemToDer(pki.ca));
  }
  device.storage.write('config.json', JSON.stringify(config));
  device.storage.write('.bootcde', readFileSync(bundle));
}

/** The A/B layout `npm run flash` leaves (write-slots.ts), on a virtual device. */
function flashSlots(device: VirtualDevice, bundle: string, ab: { loader: string; receiver: string }): void {
  device.storage.write('fw.a', slotFile(readFileSync(bundle)));
  device.storage.write('ota.js', readFileSync(ab.receiver));
  device.storage.write('.otalog', freshLog());
  device.storage.erase('.bootcde');
  device.storage.write('.bootcde', readFileSync(ab.loader));
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const thing = opts.thing ?? 'sim-button';
  const pki = ensureDevPki(opts.pkiDir ?? path.join(opts.cwd, 'certs', 'dev'));
  // 'monitor' may watch too, so `npm run monitor` works beside `npm start` without knocking its watcher off.
  const observers = ['observer', 'monitor'];
  // One persistence for every start of the broker: the watcher's session, and the QoS 1 messages
  // queued for it while it reconnects, survive a broker restart (`b` in the demo).
  const persistence = aedesPersistence();
  const topicPrefix = opts.topicPrefix ?? Topic.DefaultPrefix;
  const jobs = createLocalJobs();
  // As if aws-setup --iot-button-compat had made its AWS IoT rule: each press also on iotbutton/<thing>.
  const iotButtonRule = true;
  let broker = await startAwsLikeBroker({ port: opts.brokerPort ?? 0, host: '127.0.0.1', pki, observers, persistence, topicPrefix, jobs, iotButtonRule, log: opts.log });
  const brokerPort = broker.port;
  let brokerUp = true;
  const messages: CloudMessage[] = [];
  let waiter: (() => void) | undefined;

  const observer = pki.client('observer');
  const watcher = createCloudWatcher(
    { endpoint: '127.0.0.1', port: brokerPort, cert: observer.cert, key: observer.key, ca: pki.ca, clientId: 'observer', topics: [eventFilter(topicPrefix), statusFilter(topicPrefix), iotButtonTopic('+')], cleanSession: false },
    (topic: string, payload: string) => {
      messages.push({ topic, payload, at: Date.now() });
      opts.onCloud?.(topic, payload);
      waiter?.();
    },
  );
  await watcher.ready;

  const device = createVirtualDevice({
    profile: opts.profile,
    flashFile: opts.flashFile,
    console: (text) => {
      for (const line of text.split('\n')) if (line.trim()) opts.onConsole?.(line);
    },
  });
  if (opts.onLed) device.onLed(opts.onLed);
  const wifi = { ssid: 'sim-ap', password: 'sim-pass' };
  const via = opts.via ?? (opts.profile === 'esp8266' ? 'gateway' : 'direct');
  let gateway: Gateway | undefined;
  let gatewayStore: string | undefined;
  let config: Record<string, unknown>;
  if (via === 'gateway') {
    // What provisioning does for a stock ESP8266: the AWS identity and a fresh device secret go
    // into the gateway's store; the device gets only the secret and the gateway's address.
    gatewayStore = mkdtempSync(path.join(os.tmpdir(), 'demo-gateway-'));
    const id = pki.client(thing);
    const secret = generateDeviceSecret();
    enrolDevice(gatewayStore, thing, secret, { certPem: id.cert, keyPem: id.key }, topicPrefix);
    gateway = await startGateway({
      bind: '127.0.0.1',
      port: 0,
      store: gatewayStore,
      upstream: { endpoint: '127.0.0.1', port: brokerPort, caPath: pki.caPath },
      log: opts.onGatewayLog,
      jobProgressMs: 1000, // a livelier progress line for the update key than the default 5 s
    });
    config = { thing, wifi, mqtt: { host: '127.0.0.1', port: gateway.port, transport: 'tcp', topicPrefix }, gateway: { secret }, ...opts.deviceConfig };
  } else {
    config = { thing, wifi, mqtt: { host: '127.0.0.1', port: brokerPort, transport: 'tls', topicPrefix }, ...opts.deviceConfig };
  }
  const bundle = opts.bundle ?? path.join(opts.cwd, 'dist', 'firmware.js');
  provisionVirtualDevice(device, pki, thing, config, bundle, via === 'direct');
  if (opts.ab) flashSlots(device, bundle, opts.ab);
  if (opts.backupConfig) device.storage.write('config.bak', JSON.stringify(config));
  if (opts.rawConfig !== undefined) device.storage.write('config.json', opts.rawConfig);
  device.boot();

  const events = () => messages.filter((m) => isEventTopic(m.topic));

  return {
    device,
    via,
    gatewayPort: gateway?.port,
    pki,
    brokerPort,
    thing,
    jobs,
    messages,
    async press(g) {
      if (g === 'long') return device.press(LONG_HOLD_MS);
      await device.press(80);
      if (g === 'double') {
        await new Promise((r) => setTimeout(r, 120));
        await device.press(80);
      }
    },
    waitForEvents(count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = () => {
          if (events().length >= count) {
            clearTimeout(t);
            waiter = undefined;
            resolve(events());
          }
        };
        const t = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`only ${events().length} of ${count} button events reached the cloud side within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = done;
        done();
      });
    },
    async brokerDown() {
      if (!brokerUp) return;
      brokerUp = false;
      await broker.close();
    },
    async brokerUp() {
      if (brokerUp) return;
      broker = await startAwsLikeBroker({ port: brokerPort, host: '127.0.0.1', pki, observers, persistence, topicPrefix, jobs, iotButtonRule, log: opts.log });
      brokerUp = true;
    },
    brokerIsUp: () => brokerUp,
    async close() {
      await device.close();
      if (gateway) await gateway.close();
      if (gatewayStore) rmSync(gatewayStore, { recursive: true, force: true });
      await watcher.close();
      if (brokerUp) await broker.close();
    },
  };
}
