// Opens the socket under the MQTT session: Espruino's `tls` (DER key, certificate and CA read
// from Storage) or plain `net` for the LAN gateway. It does not retry; connection.ts does.
import type { Connect } from '../ports';

export const connect: Connect = function (o, onOpen, onError) {
  let open = false;
  let sock: EspruinoSocket | undefined;
  try {
    // Some builds throw at once on a closed port instead of raising `error` (ESPRUINO.md).
    if (o.kind === 'tls') {
      const S = require('Storage');
      sock = require('tls').connect({ host: o.host, port: o.port, key: S.read(o.key || ''), cert: S.read(o.cert || ''), ca: S.read(o.ca || '') }, function () {
        open = true;
        onOpen();
      });
    } else {
      sock = require('net').connect({ host: o.host, port: o.port }, function () {
        open = true;
        onOpen();
      });
    }
  } catch (e) {
    onError(String((e as Error).message || e));
    return undefined;
  }
  // After open, errors belong to the MQTT client (it ends the session on its own handler).
  sock.on('error', function (e: any) {
    if (!open) onError(String((e && e.message) || e));
  });
  return sock;
};

/** True when this Espruino build has the module: stock ESP8266 builds have no `tls`. */
export function hasModule(name: string): boolean {
  try {
    return !!require(name);
  } catch (e) {
    return false;
  }
}
