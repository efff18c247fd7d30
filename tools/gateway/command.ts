// `gateway` options: argv to GatewayOptions, then run until SIGINT/SIGTERM and close cleanly.
// The behaviour is run.ts; this file only parses, explains the trust model and waits.
import { Command } from 'commander';
import { UserError } from '../shared/errors';
import { DEFAULT_STORE_DIR } from './store-dir';
// Types only: run.ts loads aedes and the AWS SDK's native module, which every other
// command (build, flash, ...) would pay for at start-up; it is imported when the gateway runs.
import type { Gateway, GatewayOptions } from './run';
import { parsePort } from '../shared/cli-arguments';
import { mdnsFromEnv } from '../shared/gateway-mdns';
import { savedEndpoint } from './saved-endpoint';

const TRUST_MODEL = `
How far the LAN is trusted:
  Devices reach the gateway over plain TCP, because the ESP8266 build of Espruino has no TLS.
  The gateway holds each thing's AWS certificate and talks to AWS IoT over mutual TLS for it.
  A device proves its per-device secret with an HMAC over a counter that only moves forward:
  the secret never crosses the network and a recorded CONNECT is refused if replayed. Every
  event carries an HMAC tag; a changed or forged event is dropped and logged. Plain TCP still
  lets anyone on the LAN read the events and see which things connect, and lets someone who
  can intercept traffic delay or cut it (devices keep each event until AWS acknowledged it).
  So run it on a network you control. Certificates and secrets stay in --store, mode 0600.

Where it forwards: --endpoint, else AWS_IOT_ENDPOINT, else the endpoint aws-setup saved in
certs/<thing>/thing.json. AWS's server certificate is checked against Amazon Root CA 1 from
Node's own root store unless --ca names another CA file.

Devices and provision find it on the LAN: it answers mDNS (DNS-SD) queries for
_button-gw._tcp.local with its port and addresses (--no-advertise turns that off).

A gateway on another computer (a Raspberry Pi): run provision where the board is plugged in with
--enrol-file FILE; it seals the device's key and secret to this gateway's enrolment key (found
on the LAN, or --gateway-key as printed at start). Copy FILE here and run
npm run gateway -- add FILE: only this gateway can open it, a changed or cut file is refused,
and each file is imported once.

Examples:
  npm run gateway
  npm run gateway -- --bind 192.168.1.10 --endpoint abc123-ats.iot.eu-west-1.amazonaws.com
  npm run gateway -- add my-button.enrol
`;

export interface GatewayCliOptions {
  bind: string;
  port: number;
  store: string;
  endpoint?: string;
  /** Default: the saved endpoint's port, else 8883. */
  awsPort?: number;
  /** Default: Amazon Root CA 1 from Node's root store. */
  ca?: string;
  /** false with --no-advertise. */
  advertise?: boolean;
  iotButtonCompat?: boolean;
  /** Where certs/<thing>/thing.json are looked for; default the current folder. */
  cwd?: string;
}

export function toGatewayOptions(o: GatewayCliOptions, log?: (line: string) => void): GatewayOptions {
  let endpoint = o.endpoint ?? process.env.AWS_IOT_ENDPOINT;
  let awsPort = o.awsPort;
  if (!endpoint) {
    const saved = savedEndpoint(o.cwd ?? process.cwd(), o.store);
    if (!saved) {
      throw new UserError(
        'No AWS IoT endpoint: run aws-setup (it saves it in certs/<thing>/thing.json), or pass --endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`), or set AWS_IOT_ENDPOINT.',
        'gateway-endpoint',
      );
    }
    endpoint = saved.endpoint;
    awsPort ??= saved.port;
    log?.(`endpoint ${saved.endpoint}:${saved.port}, from ${saved.from.join(', ')}`);
  }
  return {
    bind: o.bind,
    port: o.port,
    store: o.store,
    upstream: { endpoint, port: awsPort ?? 8883, caPath: o.ca },
    advertise: o.advertise === false ? undefined : (mdnsFromEnv() ?? {}),
    iotButtonCompat: o.iotButtonCompat,
    log,
  };
}

export interface GatewayCommandDeps {
  start?: (opts: GatewayOptions) => Promise<Gateway>;
  /** Resolves when the gateway should stop; default: the first SIGINT or SIGTERM. */
  untilStopped?: () => Promise<string>;
  log?: (line: string) => void;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export async function runGatewayCommand(o: GatewayCliOptions, deps: GatewayCommandDeps = {}): Promise<void> {
  const log = deps.log ?? ((line: string) => console.log(`${new Date().toISOString()} ${line}`));
  const options = toGatewayOptions(o, log);
  const gw = await (deps.start ?? (await import('./run')).startGateway)(options);
  const signal = await (deps.untilStopped ?? untilSignal)();
  log(`${signal}: closing device and AWS connections`);
  await gw.close();
}

/** `gateway revoke THING`: the store refuses the thing from now on; a running gateway closes its session. */
export async function revokeCommand(thing: string, o: { store: string }, log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const { revokeDevice } = await import('./device-store');
  const r = revokeDevice(o.store, thing);
  log(
    r.already
      ? `${thing} was already revoked: its CONNECTs are refused.`
      : `${thing} revoked: its secret is erased, its CONNECTs are refused from now on, and a running gateway closes its session within a second. To let the board back, provision it again (it gets a new secret).`,
  );
}

export function define(program: Command, deps: GatewayCommandDeps = {}): void {
  const gateway = program
    .command('gateway')
    .description('Bridge NodeMCUs without TLS on this LAN to AWS IoT, each over its own mutual-TLS connection.')
    .option('--bind <addr>', 'address to listen on for devices (all interfaces by default)', '0.0.0.0')
    .option('--port <n>', 'MQTT port for devices (0 = any free port)', parsePort, 1883)
    .option('--store <dir>', 'gateway store: devices.json, secrets/, certificates', DEFAULT_STORE_DIR)
    .option('--endpoint <host>', 'AWS IoT data endpoint, e.g. abc123-ats.iot.eu-west-1.amazonaws.com (or AWS_IOT_ENDPOINT)')
    .option('--aws-port <n>', 'AWS IoT MQTT port (default: thing.json\'s, else 8883)', parsePort)
    .option('--ca <file>', "CA certificate of the AWS IoT endpoint (default: Amazon Root CA 1 from Node's root store)")
    .option('--no-advertise', 'do not answer mDNS queries for the gateway on the LAN')
    .option('--iot-button-compat', 'also publish each press as the AWS IoT Button does on iotbutton/<thing>, for accounts without the AWS IoT rule (the thing\'s policy must allow it: aws-setup --iot-button-compat gateway); where AWS refuses it, the copies stop for that thing. With the rule (aws-setup --iot-button-compat) leave this off: the rule makes the copy for every board')
    .addHelpText('after', TRUST_MODEL)
    .action((o: GatewayCliOptions) => runGatewayCommand(o, deps));
  gateway
    .command('revoke <thing>')
    .description("Revoke a device (a lost or stolen board): erase its secret from the gateway's store so that its CONNECTs are refused; a running gateway closes its session. Provision it again to let it back.")
    // --store is the gateway command's own option (commander gives it to the parent): read it from there.
    .addHelpText('after', `\nThe store is the gateway's --store (default ${DEFAULT_STORE_DIR}), e.g.\n  npm run gateway -- --store /srv/gateway revoke button-1`)
    .action((thing: string, _o: unknown, cmd: Command) => revokeCommand(thing, cmd.optsWithGlobals() as { store: string }, deps.log));
  gateway
    .command('add')
    .description('Import an enrolment file that provision -- --enrol-file wrote on another computer (a device for this gateway).')
    .argument('<file>', 'the enrolment file')
    .addHelpText('after', `\nThe store is the gateway's --store (default ${DEFAULT_STORE_DIR}), e.g.\n  npm run gateway -- --store /srv/gateway add button-1.enrol`)
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { addEnrolment } = await import('./add-enrolment');
      addEnrolment(file, (cmd.optsWithGlobals() as { store: string }).store, deps.log ?? ((l) => console.log(l)));
    });
}
