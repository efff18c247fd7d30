// A byte pipe to an Espruino console (USB serial or telnet), and the choice between the two by the
// --port string. It knows nothing of Espruino's console protocol: console-client.ts does.
import { UserError } from '../shared/errors';

export interface Transport {
  /** Where it goes, as the user wrote it (for messages). */
  readonly name: string;
  write(data: Buffer | string): void;
  /** Bytes from the device, in order. One listener; a second call replaces the first. */
  onData(fn: (data: Buffer) => void): void;
  /** Called once when the link ends for any reason (device gone, cable pulled, close()). */
  onClose(fn: (why: string) => void): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Serial speed; the ESP8266 console runs at 115200. */
  baud?: number;
  /** How long a TCP connect may take before the device counts as not answering. */
  connectTimeoutMs?: number;
}

export type OpenTransport = (port: string, opts?: OpenOptions) => Promise<Transport>;

export const CONSOLE_BAUD = 115200;

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
