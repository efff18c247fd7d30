// Opens a byte pipe to an Espruino console (USB serial or telnet), chosen by the --port string. The
// pipe's shape is link.ts; it knows nothing of Espruino's console protocol: console-client.ts does.
import { UserError } from '../shared/errors';
import type { OpenTransport } from './link';

/** Opens `port` (as findPort returned it): tcp://host:port, else a serial device. */
export const openTransport: OpenTransport = async (port, opts = {}) => {
  if (port.startsWith('tcp://')) {
    const { openTcpTransport } = await import('./tcp-transport');
    return openTcpTransport(port, opts);
  }
  if (port.includes('://')) throw new UserError(`--port ${port} has a scheme other than tcp://: pass a serial device or tcp://HOST:PORT.`, 'port-invalid');
  const { openSerialTransport } = await import('./serial-transport');
  return openSerialTransport(port, opts);
};
