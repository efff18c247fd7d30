// Opens the socket under the MQTT session: Espruino's `tls` (DER key, certificate and CA read
// from Storage) or plain `net` for the LAN gateway. It does not retry; connection.ts does.
// No callbacks: the session attaches its handlers to the socket, which queues writes until open.
import type { OpenSocket } from '../ports';

export const connect: OpenSocket = function (o) {
  const S = require('Storage');
  const tls = o.kind === 'tls';
  return (tls ? require('tls') : require('net')).connect(
    tls ? { host: o.host, port: o.port, key: S.read(o.key!), cert: S.read(o.cert!), ca: S.read(o.ca!) } : { host: o.host, port: o.port },
  );
};
