// `npm run gateway`: an MQTT broker on the LAN for devices without TLS, each mirrored to AWS IoT
// over its own mutual-TLS connection (device-sessions.ts). This file only starts and stops it;
// it does not run until a signal (command.ts does) and does not provision devices (addDevice).
import { createServer, type Socket } from 'node:net';
import { existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import Aedes from 'aedes';
import { UserError } from '../shared/errors';
import { createDeviceSessions } from './device-sessions';
import { createDeviceUpdates, type DeviceUpdates } from './device-updates';
import { openDeviceStore } from './device-store';
import type { Upstream, UpstreamTarget } from './upstream';
import { createJobRunner } from './job-runner';
import { AMAZON_ROOT_CA1_URL, KEY_FILE } from '../certificates';
import type { MdnsOptions } from '../shared/gateway-mdns';

export interface GatewayOptions {
  /** Address to listen on; default all interfaces, since devices are on the LAN. */
  bind?: string;
  /** Default 1883; 0 picks a free port. */
  port?: number;
  /** The store directory (devices.json, secrets/). */
  store: string;
  upstream: UpstreamTarget;
  log?: (line: string) => void;
  /** How long AWS may take to accept a device's connection before the device is refused. */
  connectTimeoutMs?: number;
  /** How long the updater waits for a device's answer before it resends (default 10 s). */
  updateStepMs?: number;
  /** At most one IN_PROGRESS progress report per job execution this often (default 5 s). */
  jobProgressMs?: number;
  /** Answer mDNS queries for the gateway (provision finds it so); undefined: stay silent. */
  advertise?: MdnsOptions;
  /** Also publish each press on iotbutton/<thing> in the AWS IoT Button's shape, for accounts without the AWS IoT rule (stops per thing where AWS refuses it). */
  iotButtonCompat?: boolean;
}

export interface Gateway {
  port: number;
  /** Firmware updates for its devices (device-updates.ts); optional so stand-in gateways need none. */
  updates?: DeviceUpdates;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? ((line: string) => console.log(`${new Date().toISOString()} ${line}`));
  const bind = opts.bind ?? '0.0.0.0';
  if (opts.upstream.caPath !== undefined && !existsSync(opts.upstream.caPath)) {
    throw new UserError(
      `The CA certificate ${opts.upstream.caPath} does not exist: save ${AMAZON_ROOT_CA1_URL} there, or pass --ca with its path.`,
      'gateway-ca-missing',
    );
  }
  const store = openDeviceStore(opts.store);
  const things = store.things(); // also fails early, as a UserError, on a corrupt devices.json
  if (things.length === 0) log(`no devices in ${store.dir} yet: provision one for the gateway; it is picked up without a restart`);
  else log(`devices: ${things.join(', ')}`);
  for (const thing of things) {
    const dev = store.get(thing);
    const key = dev && join(dev.certDir, KEY_FILE);
    if (!key || !existsSync(key)) log(`warning: ${thing} has no ${KEY_FILE} in ${dev?.certDir ?? 'its certificate folder'}: it will be refused`);
    else if (statSync(key).mode & 0o077) log(`warning: ${key} is readable by other users: chmod 600 it`);
  }

  // Each device's AWS IoT Jobs run over its own upstream, as the thing (job-runner.ts).
  let jobs: ReturnType<typeof createJobRunner> | undefined;
  const onUpstream = (thing: string, up: Upstream) => jobs?.attach(thing, up);
  const sessions = createDeviceSessions({ store, upstream: opts.upstream, log, connectTimeoutMs: opts.connectTimeoutMs, iotButtonCompat: opts.iotButtonCompat, onUpstream });
  const aedes = new Aedes({ ...sessions.hooks });
  sessions.attach(aedes);
  const updates = createDeviceUpdates({ store, sessions, aedes, log, stepTimeoutMs: opts.updateStepMs });
  jobs = createJobRunner({ updates, log, progressEveryMs: opts.jobProgressMs });
  aedes.on('connectionError', (_client, err) => log(`connection error: ${err.message}`));

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      aedes.close();
      if (err.code === 'EADDRINUSE') reject(new UserError(`Port ${opts.port ?? 1883} on ${bind} is in use: stop the other MQTT broker or pass --port.`, 'gateway-port-in-use'));
      else if (err.code === 'EADDRNOTAVAIL') reject(new UserError(`${bind} is not an address of this machine: pass --bind with one of its addresses, or 0.0.0.0.`, 'gateway-bind'));
      else reject(err);
    });
    server.listen(opts.port ?? 1883, bind, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  log(`listening on ${bind}:${port}, forwarding to ${opts.upstream.endpoint}:${opts.upstream.port}`);
  const advert = opts.advertise ? await advertise(opts.advertise, opts.store, bind, port, log) : undefined;

  // Revocations and rotations are written to devices.json by other processes (gateway revoke,
  // provision): watching it closes the sessions they end, within about half a second.
  const devicesFile = join(store.dir, 'devices.json');
  const onStoreChange = () => sessions.recheck();
  watchFile(devicesFile, { interval: 250 }, onStoreChange);

  let closing: Promise<void> | undefined;
  return {
    port,
    updates,
    close() {
      closing ??= (async () => {
        unwatchFile(devicesFile, onStoreChange);
        updates.close();
        const stopped = new Promise<void>((r) => server.close(() => r())); // no new devices
        await sessions.shutdown(async () => {
          await new Promise<void>((r) => aedes.close(() => r()));
          for (const s of sockets) s.destroy();
        });
        await stopped;
        if (advert) await advert.close();
        log('stopped');
      })();
      return closing;
    },
  };
}

/**
 * Answers mDNS for the gateway with its address and enrolment key (made once in the store), and
 * prints the key for provision --gateway-key. Loaded only when advertising (the CLI's default).
 */
async function advertise(mdns: MdnsOptions, store: string, bind: string, port: number, log: (line: string) => void): Promise<{ close(): Promise<void> } | undefined> {
  const [{ advertiseGateway }, { lanAddresses }, { ensureEnrolmentKey }] = await Promise.all([import('../shared/gateway-mdns'), import('../provision/address'), import('./enrolment-key')]);
  const enrol = ensureEnrolmentKey(store);
  log(`enrolment key ${enrol.publicKey} (gateway ${enrol.id}): provision -- --enrol-file seals devices to it`);
  const addresses = bind === '0.0.0.0' ? lanAddresses() : [bind];
  if (!addresses.length) return undefined;
  log(`advertised on the LAN (mDNS _button-gw._tcp) at ${addresses.map((a) => `${a}:${port}`).join(', ')}`);
  return advertiseGateway({ port, addresses, key: enrol.publicKey, mdns });
}
