// Opens the socket under the MQTT session: Espruino's `tls` (DER key, certificate and CA read
// from Storage) or plain `net` for the LAN gateway. It does not retry; connection.ts does.
// No callbacks: the session attaches its handlers to the socket, which queues writes until open.
import type { OpenSocket } from '../ports';

export const connect: OpenSocket = function (o) {
  // Plain TCP gets the connection's own {host, port}: the socket keeps its options for its whole
  // life, and a copy would cost 3 JsVars more (measured on 2v29).
  if (o.kind !== 'tls') return require('net').connect(o);
  const S = require('Storage');
  const a: any = { host: o.host, port: o.port };
  a.key = S.read(o.key!);
  a.cert = S.read(o.cert!);
  a.ca = S.read(o.ca!);
  return require('tls').connect(a);
};
