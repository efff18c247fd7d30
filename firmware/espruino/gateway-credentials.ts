// Gateway mode on Espruino: the connect password and event tags from the device secret
// (core/gateway-auth.ts), hashed by the build's native crypto.SHA1 (ESP8266_4MB and ESP32 have it).
// Nothing is kept between calls but the thing and which config file boot read: the secret (64
// characters, 9 JsVars kept in RAM for good, measured on 2v29) is read from that file per call, as
// the counter is.
import type { MqttOptions } from '../core/mqtt/client';
import type { GatewayAuth } from '../core/app';
import { gatewayAuth, Gw } from '../core/gateway-auth';
import { nextConnectCount } from '../core/connect-counter';

/**
 * One function (each function object costs RAM): CONNECT options get credentials, (topic, payload) a
 * tag; undefined without a secret (not gateway mode). Called once, at boot, in every mode: it frees
 * its own function object (a top-level function would stay in RAM). `file` says where the secret is,
 * the config file boot read: 1 config.json, 2 config.bak (config.json missing or torn), 0 none (one
 * number, not the secret: each name kept in the closure's scope costs RAM).
 */
export let gatewayCredentials = function (thing: string, file: 0 | 1 | 2): GatewayAuth | undefined {
  gatewayCredentials = 0 as never;
  if (!file) return undefined;
  return function (a: MqttOptions | string, payload?: string): any {
    // Written only by provision, which stops the program first and restarts it: still what boot read.
    const secret = JSON.parse(require('Storage').read(file > 1 ? 'config.bak' : 'config.json')!).gateway.secret as string;
    // Made per call, so no hash function stays in RAM. E.toString turns the digest into bytes (the
    // Uint8Array view is for the virtual NodeMCU, whose E.toString misreads a bare ArrayBuffer).
    const sha1 = (s: string) => E.toString(new Uint8Array(require('crypto').SHA1(s)));
    if (typeof a === 'string') return gatewayAuth(Gw.Tag, secret, a, payload!, sha1);
    // Read from flash per connect: a kept counter would cost RAM for the whole uptime.
    const n = nextConnectCount(require('Storage'), 'gwcount');
    // console.log itself, not a log parameter: a parameter would be one more name in this scope for good.
    if (n < 0) console.log('gateway: connect counter not saved (Storage full?)');
    a.username = thing;
    a.password = n < 0 ? '' : gatewayAuth(Gw.Password, secret, thing, n, sha1);
    return a;
  } as GatewayAuth;
};
