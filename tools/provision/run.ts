// provision: validate the thing's identity and the device config on this computer, then give the
// device its new identity without ever leaving it without a working one (device-update.ts), and
// in gateway mode enrol it with the LAN gateway. It does not flash firmware or create certificates.
import { join, resolve } from 'node:path';
import { recordMode } from '../aws-setup/local-folder';
import { DEFAULT_STORE_DIR } from '../gateway/device-store';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { openDevice } from '../device/open-device';
import { readDeviceConfig } from '../device/read-config';
import { checkThingName } from '../certificates/thing-name';
import { spaceFor, storedSize } from '../device/device-probe';
import { silentProgress } from '../device/progress';
import { endpointWarning, parseEndpoint, parseGateway } from './address';
import { defaultFindGateways, gatewayKeyAt, locateGateway } from './find-gateway';
import { checkEnrolFile, prepareEnrolFile } from './enrol-file';
import { publicKeyFromRaw } from '../shared/enrolment-file';
import { buildConfig, parseOldConfig, serializeConfig, type Mode } from './device-config';
import type { ProvisionDeps, ProvisionOptions } from './options';
import { applyUpdate } from './device-update';
import { deviceSecretFor, enrolDevice } from './gateway-enrolment';
import { generateDeviceSecret } from '../gateway/device-store';
import { identityFor, thingInfo, wifiFor } from './inputs';
import { CONFIG_FILE, derName, filesToErase, namedByConfig, type StorageFile } from './storage-plan';

export type { ProvisionDeps, ProvisionOptions } from './options';

export interface ProvisionResult {
  port: string;
  board: string;
  mode: Mode;
  thing: string;
  mqtt: { host: string; port: number };
  written: { name: string; bytes: number }[];
  erased: string[];
  /** Bytes now in Storage for this identity (DER files, config.json and config.bak). */
  storedBytes: number;
  wire: { toDevice: number; fromDevice: number };
  seconds: number;
}

export async function run(o: ProvisionOptions, deps: ProvisionDeps): Promise<ProvisionResult> {
  const { log } = deps;
  const started = Date.now();
  checkThingName(o.thing);
  // Everything that can be checked without the device is, before the port is opened.
  let identity = identityFor(o, deps, o.mode === 'direct');
  for (const w of identity.warnings) log.warn(w);
  const gateway = o.gateway !== undefined ? parseGateway(o.gateway) : undefined;
  const info = thingInfo(o, log);
  const endpointSpec = o.endpoint ?? info?.endpoint;
  const endpoint = endpointSpec !== undefined ? parseEndpoint(endpointSpec) : undefined;
  if (o.wifiPassword !== undefined) log.addSecret(o.wifiPassword);
  if (o.gatewayKey !== undefined) publicKeyFromRaw(o.gatewayKey);
  if (o.enrolFile !== undefined) checkEnrolFile(o.cwd, o.enrolFile);

  const dev = await openDevice(
    { port: o.port, log, timeoutMs: o.timeoutMs, probeExtra: ['S.list(/\\.der$/)'] },
    deps,
  );
  try {
    const { info: board } = dev;
    const mode: Mode = o.mode ?? (board.hasTls ? 'direct' : 'gateway');
    if (o.mode === undefined) log.info(board.hasTls ? `${board.board} has tls: the device will connect to AWS IoT itself (direct mode).` : `${board.board} has no tls module: the device will connect through the LAN gateway (gateway mode).`);
    if (mode === 'direct' && !board.hasTls) log.warn(`${board.board} reports no tls module, so the firmware will refuse direct mode: use --mode gateway unless this build has TLS.`);
    if (mode === 'direct' && o.mode !== 'direct') identity = identityFor(o, deps, true);

    const existing = Array.isArray(dev.extra[0]) ? (dev.extra[0] as string[]) : [];
    // The old config holds the old secrets: read masked, and registered with the logger.
    const oldText = await readDeviceConfig(dev.client, CONFIG_FILE, log);
    const old = parseOldConfig(oldText);
    if (old.problem) log.warn(`The device's ${CONFIG_FILE} is unreadable (${old.problem}): its settings are not kept.`);
    const oldConfig = old.config;

    let mqtt: { host: string; port: number };
    let files: StorageFile[] = [];
    let secret: { secret: string; isNew: boolean } | undefined;
    const store = resolve(o.cwd, o.gatewayStore ?? DEFAULT_STORE_DIR);
    if (mode === 'direct' && o.enrolFile !== undefined) {
      throw new UserError(`--enrol-file is for gateway mode, and ${board.board} connects to AWS itself (direct mode): leave it out, or pass --mode gateway.`, 'enrol-file-direct');
    }
    let sealTo: string | undefined;
    if (mode === 'direct') {
      if (!endpoint) {
        throw new UserError(`No AWS IoT endpoint for ${o.thing}: pass --endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS), or run aws-setup, which saves it in certs/${o.thing}/thing.json.`, 'endpoint-missing');
      }
      const warning = endpointWarning(endpoint.host);
      if (warning) log.warn(warning);
      mqtt = { host: endpoint.host, port: endpoint.port ?? o.mqttPort ?? info?.port ?? 8883 };
      files = [
        { name: derName('key', identity.keyDer), data: identity.keyDer },
        { name: derName('cert', identity.certDer), data: identity.certDer },
        { name: derName('ca', identity.caDer), data: identity.caDer },
      ];
    } else {
      const find = deps.findGateways ?? defaultFindGateways(deps.env);
      const located: { host: string; port: number; key?: string } = gateway ?? (await locateGateway(find, oldConfig, log));
      mqtt = { host: located.host, port: located.port };
      if (o.enrolFile !== undefined) {
        sealTo = o.gatewayKey ?? located.key ?? (await gatewayKeyAt(find, mqtt));
        if (!sealTo) {
          throw new UserError(
            `No enrolment key for the gateway at ${mqtt.host}:${mqtt.port} (it did not answer on the LAN): pass --gateway-key with the key the gateway prints at start.`,
            'gateway-key-missing',
          );
        }
        // A fresh secret: this computer's store is not the gateway's.
        secret = { secret: generateDeviceSecret(), isNew: true };
      } else secret = deviceSecretFor(store, o.thing, o.rotateSecret);
      log.addSecret(secret.secret);
    }

    const wifi = await wifiFor(o, deps, oldConfig);
    const config = buildConfig({
      thing: o.thing,
      mode,
      mqtt,
      tls: mode === 'direct' ? { key: files[0].name, cert: files[1].name, ca: files[2].name } : undefined,
      secret: secret?.secret,
      wifi,
      // aws-setup --topic-prefix made the policy for that prefix: the device follows unless told otherwise.
      settings: o.topicPrefix === undefined && info?.topicPrefix !== undefined ? { ...o, topicPrefix: info.topicPrefix } : o,
      old: oldConfig,
    });
    const { bytes: configBytes, warnings } = serializeConfig(config);
    // Sealed now, before the device is written, so that a failure here changes nothing.
    const writeEnrolment =
      sealTo !== undefined && o.enrolFile !== undefined
        ? prepareEnrolFile(o.cwd, o.enrolFile, sealTo, { thing: o.thing, secret: secret!.secret, certPem: identity.certPem, keyPem: identity.keyPem, endpoint: endpoint?.host, port: endpoint?.port ?? info?.port, topicPrefix: config.mqtt?.topicPrefix })
        : undefined;
    for (const w of warnings) log.warn(w);
    if (!config.wifi?.ssid) log.warn('The config names no Wi-Fi network: the device will use what Wifi.save() stored on it. Pass --wifi-ssid to set one.');

    const keep = files.map((f) => f.name);
    const erase = filesToErase(existing, keep, namedByConfig(oldConfig, oldText === ''));
    const need = files.reduce((n, f) => n + storedSize(f.data.length), 0) + 2 * storedSize(configBytes.length);
    if (need > spaceFor(board.storage)) {
      throw new UserError(
        `The device's Storage has ${spaceFor(board.storage)} bytes free and the new identity needs ${need}: free some (require("Storage").list() shows what is there), then run provision again.`,
        'storage-full',
      );
    }

    const total = files.reduce((n, f) => n + f.data.length, 0) + 2 * configBytes.length;
    const bar = (deps.progress ?? silentProgress)('provision', total);
    try {
      await applyUpdate(
        dev.client,
        { files, config: configBytes, erase },
        {
          progress: bar,
          chunkBytes: deps.chunkBytes,
          timeoutMs: o.timeoutMs,
          afterConfig: secret
            ? () => {
                if (writeEnrolment) writeEnrolment();
                // The gateway polices the device's topics: it must know the prefix the config gives it.
                else enrolDevice(store, o.thing, secret!.secret, identity, config.mqtt?.topicPrefix);
              }
            : undefined,
        },
      );
    } finally {
      bar.stop();
    }

    const written = [...files.map((f) => ({ name: f.name, bytes: f.data.length })), { name: CONFIG_FILE, bytes: configBytes.length }, { name: 'config.bak', bytes: configBytes.length }];
    const result: ProvisionResult = {
      port: dev.port,
      board: board.board,
      mode,
      thing: o.thing,
      mqtt,
      written,
      erased: erase,
      storedBytes: total,
      wire: { toDevice: dev.client.stats.bytesOut, fromDevice: dev.client.stats.bytesIn },
      seconds: (Date.now() - started) / 1000,
    };
    summarize(result, log, config.wifi?.ssid, secret, o.enrolFile);
    // npm run update executes a direct board's jobs itself: it learns which boards are direct here.
    recordMode(join(o.cwd, 'certs', o.thing), mode);
    return result;
  } finally {
    await dev.close();
  }
}

function summarize(r: ProvisionResult, log: Logger, ssid: string | undefined, secret: { isNew: boolean } | undefined, enrolFile?: string): void {
  log.info(`Provisioned ${r.thing} on ${r.port} (${r.board}), ${r.mode} mode:`);
  log.info(`  MQTT     ${r.mqtt.host}:${r.mqtt.port} over ${r.mode === 'direct' ? 'TLS' : 'TCP to the gateway'}`);
  log.info(`  Storage  ${r.written.map((f) => `${f.name} (${f.bytes} B)`).join(', ')}`);
  if (r.erased.length) log.info(`  erased   ${r.erased.join(', ')}`);
  log.info(`  Wi-Fi    ${ssid ?? '(saved on the device)'}`);
  if (enrolFile) log.info(`  gateway  sealed to the gateway in ${enrolFile} (mode 0600): copy it to the gateway's computer and run npm run gateway -- add ${enrolFile}; the board connects once it is added`);
  else if (secret) log.info(`  gateway  enrolled in the gateway's store${secret.isNew ? ' with a new device secret (the old one no longer works)' : ' (device secret kept)'}`);
  log.info(`  ${r.storedBytes} bytes stored, ${r.wire.toDevice} bytes sent in ${r.seconds.toFixed(1)} s; the device restarted with its new identity.`);
}
