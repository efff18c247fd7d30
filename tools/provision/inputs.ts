// What provision gathers before touching the device: the identity (validated, secrets registered
// with the logger), aws-setup's thing.json, and the Wi-Fi credentials from flags, environment, the
// old config or a prompt. It talks to no device.
import { resolve } from 'node:path';
import { loadIdentity, type Identity } from '../certificates';
import { readThingInfo, type ThingInfo } from '../aws-setup/local-folder';
import type { Logger } from '../shared/log';
import { askSecretOnTerminal } from './ask-secret';
import type { ProvisionDeps, ProvisionOptions } from './options';

export function identityFor(o: ProvisionOptions, deps: ProvisionDeps, directTls: boolean): Identity {
  const id = loadIdentity({ cwd: o.cwd, thing: o.thing, dir: o.dir, certPath: o.cert, keyPath: o.key, caPath: o.ca, directTls, now: deps.now });
  deps.log.addSecret(id.keyPem);
  deps.log.addSecret(id.keyDer);
  return id;
}

export async function wifiFor(o: ProvisionOptions, deps: ProvisionDeps, old: Record<string, unknown> | undefined): Promise<{ ssid: string; password: string } | undefined> {
  const env = deps.env ?? process.env;
  const ssid = o.wifiSsid ?? env.WIFI_SSID;
  if (ssid === undefined) return undefined;
  let password = o.wifiPassword ?? env.WIFI_PASSWORD;
  const oldWifi = old?.wifi as { ssid?: unknown; password?: unknown } | undefined;
  if (password === undefined && oldWifi?.ssid === ssid && typeof oldWifi.password === 'string') password = oldWifi.password;
  if (password === undefined) password = await (deps.askSecret ?? askSecretOnTerminal)(`Wi-Fi password for ${ssid}: `);
  deps.log.addSecret(password);
  return { ssid, password };
}

/** certs/<thing>/thing.json from aws-setup, if any: the endpoint and port to default to. */
export function thingInfo(o: ProvisionOptions, log: Logger): ThingInfo | undefined {
  try {
    return readThingInfo(resolve(o.cwd, o.dir ?? `certs/${o.thing}`));
  } catch {
    log.warn(`certs/${o.thing}/thing.json is not valid JSON: ignoring it (pass --endpoint).`);
    return undefined;
  }
}
