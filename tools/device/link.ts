// A byte pipe to an Espruino console, as the console client sees it (Transport), and what the serial
// and TCP transports share to build one (createLink). It opens nothing: transport.ts picks and opens.

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

/** A Transport plus the two calls its maker feeds it with. */
export interface Link extends Transport {
  /** Bytes arrived: to the data listener. */
  received(data: Buffer): void;
  /** The link ended (not by close()): to the close listener. */
  ended(why: string): void;
}

/**
 * What the serial and TCP transports share: one data and one close listener (each replaced by the
 * next call), strings written as their bytes (one char a byte), nothing written once `isClosed()`.
 */
export function createLink(name: string, send: (data: Buffer) => void, isClosed: () => boolean, close: () => Promise<void>): Link {
  let onData: (d: Buffer) => void = () => {};
  let onClose: (why: string) => void = () => {};
  return {
    name,
    write(data) {
      if (!isClosed()) send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    },
    onData(fn) {
      onData = fn;
    },
    onClose(fn) {
      onClose = fn;
    },
    close,
    received: (d) => onData(d),
    ended: (why) => onClose(why),
  };
}
