// `provision` options and --help: argv to ProvisionOptions. The behaviour is run.ts, loaded only
// when the command runs.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../shared/log';
import { DEFAULT_STORE_DIR } from '../gateway/store-dir';
import type { ProvisionOptions } from './options';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('a whole number is needed.');
  return n;
}

function level(v: string): boolean {
  if (v === 'low') return true;
  if (v === 'high') return false;
  throw new InvalidArgumentError('say low or high.');
}

/** What commander gives: the run's identity and address options as they are, pins and timings as flags. */
interface Flags extends Omit<ProvisionOptions, 'cwd' | 'timeoutMs' | 'pins' | 'button' | 'keepaliveS' | 'healthS' | 'wifiTimeoutS' | 'maintenanceS'> {
  buttonPin?: string;
  ledPin?: string;
  buttonActive?: boolean;
  ledActive?: boolean;
  debounceMs?: number;
  doubleMs?: number;
  longMs?: number;
  keepalive?: number;
  health?: number;
  maintenance?: number;
  wifiTimeout?: number;
  verbose: boolean;
}

export function define(program: Command): void {
  program
    .command('provision')
    .description("Give the board its identity: certificate, key and CA (direct TLS) or a gateway secret, plus config.json with the thing, MQTT address and Wi-Fi, replacing the old identity only once the new one is verified on the board.")
    .requiredOption('--thing <name>', 'thing name; its files are read from certs/<name>/')
    .option('--port <port>', 'serial device (/dev/ttyUSB0, COM3) or tcp://HOST:PORT (default: the only USB serial device)')
    .option('--dir <folder>', 'read the identity from this folder instead of certs/<thing>/')
    .option('--cert <file>', "the thing's certificate (PEM or DER)")
    .option('--key <file>', 'its private key')
    .option('--ca <file>', 'the root CA of the MQTT server (AmazonRootCA1.pem)')
    .option('--endpoint <host>', 'AWS IoT data endpoint, HOST or HOST:PORT (default: certs/<thing>/thing.json)')
    .option('--mqtt-port <n>', 'MQTT-over-TLS port (default 8883)', int)
    .addOption(new Option('--mode <mode>', 'direct: the board speaks TLS to AWS; gateway: through the LAN gateway (default: direct if the board has tls)').choices(['direct', 'gateway']))
    .option('--gateway <host[:port]>', 'gateway mode: the LAN gateway the board connects to, port 1883 by default (default: the one gateway that answers on the LAN, else the one the board had)')
    .option('--rotate-secret', 'gateway mode: give the device a new secret (after a lost board, or routinely); the old one stops working as the board takes the new one', false)
    .option('--gateway-store <dir>', "gateway mode: the gateway's store, which gets the AWS identity and the device secret", DEFAULT_STORE_DIR)
    .option('--enrol-file <file>', "gateway mode, gateway on another computer: write the device's enrolment to FILE (0600, sealed to that gateway) for npm run gateway -- add FILE there, instead of into --gateway-store")
    .option('--gateway-key <key>', "with --enrol-file: the gateway's enrolment key as it prints it at start (default: as it announces it on the LAN)")
    .option('--wifi-ssid <ssid>', 'Wi-Fi network (or WIFI_SSID; default: keep the one in the old config)')
    .option('--wifi-password <password>', 'Wi-Fi password (or WIFI_PASSWORD; asked without echo when missing)')
    .option('--topic-prefix <prefix>', 'topics start <prefix>/<thing>/ (default: aws-setup --topic-prefix from certs/<thing>/thing.json, else the old config, else devices); the gateway store records it too')
    .option('--button-pin <pin>', 'button pin, D0..D16 (default D0, the FLASH button)')
    .option('--led-pin <pin>', 'LED pin (default D2, the ESP-12 blue LED)')
    .option('--button-active <level>', 'low or high: the level of a pressed button', level)
    .option('--led-active <level>', 'low or high: the level that lights the LED', level)
    .option('--debounce-ms <n>', 'button debounce', int)
    .option('--double-ms <n>', 'longest gap inside a double click', int)
    .option('--long-ms <n>', 'shortest long press', int)
    .option('--keepalive <s>', 'MQTT keepalive in seconds (30..1200)', int)
    .option('--health <s>', 'seconds between health lines on the console (0 = off)', int)
    .option('--maintenance <s>', 'seconds a 10 s hold of the button opens the LAN console for (60..3600, 0 = never; default 600)', int)
    .option('--wifi-timeout <s>', 'seconds to wait for Wi-Fi before retrying', int)
    .option('--verbose', 'show everything the board says (secrets are masked)', false)
    .addHelpText(
      'after',
      `
The identity is checked here first (PEM parses, key matches certificate, dates, RSA 2048 for
direct TLS, CA is a CA) and config.json against the device's own rules; nothing is written if
anything is wrong. On the board, new DER files get new names (key-<hash>.der ...), config.bak is
written and verified before config.json, and the old files are erased only after that: an
interrupted run leaves the previous identity working. Settings the old config.json had (Wi-Fi,
pins, timings) are kept unless a flag replaces them. The Wi-Fi password and the private key are
never printed.

A stock ESP8266 has no TLS: then the board gets the gateway's address and a device secret, and
the AWS certificate and key go into the gateway's store instead (see npm run gateway -- --help).
The gateway is found on the LAN by mDNS; pass --gateway when there are several, or none answers.

Examples:
  npm run provision -- --thing button-1 --wifi-ssid home
  npm run provision -- --thing button-1 --wifi-ssid home --gateway 192.168.1.10 --port /dev/ttyUSB0
  WIFI_PASSWORD=... npm run provision -- --thing button-1 --port tcp://192.168.1.50 --led-pin D4`,
    )
    .action(async (f: Flags) => {
      const [{ run }, { terminalProgress }] = await Promise.all([import('./run'), import('../device/progress')]);
      await run(
        {
          cwd: process.cwd(),
          port: f.port,
          thing: f.thing,
          dir: f.dir,
          cert: f.cert,
          key: f.key,
          ca: f.ca,
          endpoint: f.endpoint,
          mqttPort: f.mqttPort,
          mode: f.mode,
          gateway: f.gateway,
          gatewayStore: f.gatewayStore,
          rotateSecret: f.rotateSecret,
          enrolFile: f.enrolFile,
          gatewayKey: f.gatewayKey,
          wifiSsid: f.wifiSsid,
          wifiPassword: f.wifiPassword,
          topicPrefix: f.topicPrefix,
          pins: { button: f.buttonPin, led: f.ledPin, buttonActiveLow: f.buttonActive, ledActiveLow: f.ledActive },
          button: { debounceMs: f.debounceMs, doubleMs: f.doubleMs, longMs: f.longMs },
          keepaliveS: f.keepalive,
          healthS: f.health,
          maintenanceS: f.maintenance,
          wifiTimeoutS: f.wifiTimeout,
        },
        { log: createLogger({ verbose: f.verbose }), progress: terminalProgress() },
      );
    });
}
