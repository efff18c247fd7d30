// Gateway mode on Espruino: the connect password and event tags from the device secret
// (core/gateway-auth.ts), hashed by the build's native SHA1 where it has one, else ours.
import type { MqttOptions } from '../core/mqtt/client';
import { connectPassword, tagEvent } from '../core/gateway-auth';
import { createConnectCounter } from '../core/connect-counter';
import { sha1 } from '../core/sha1';
import { hasModule } from './transport';

export function gatewayCredentials(thing: string, secret: string, log: (l: string) => void) {
  const hash = hasModule('crypto')
    ? function (s: string) {
        return E.toString(new Uint8Array(require('crypto').SHA1(s)));
      }
    : sha1;
  return {
    credentials: function (o: MqttOptions) {
      // Created per connect: a kept counter would cost RAM for the whole uptime.
      const n = createConnectCounter(require('Storage'), 'gwcount').next();
      if (n < 0) log('gateway: cannot persist the connect counter (Storage full?); the gateway will refuse');
      o.username = thing;
      o.password = n < 0 ? '' : connectPassword(thing, secret, n, hash);
      return o;
    },
    tag: function (topic: string, payload: string) {
      return tagEvent(topic, payload, secret, hash);
    },
  };
}
