// What the firmware core needs from the world. The core imports only these types;
// firmware/espruino/ implements them with Espruino's API, tests with fakes.
// Kept minimal on purpose: every method here is a function object in device RAM.

/** Monotonic time and timers. `now()` is milliseconds since boot (getTime()*1000 on the device). */
export interface Clock {
  now(): number;
  /** Milliseconds since the epoch once SNTP has set the clock, else null. */
  wall(): number | null;
  after(ms: number, fn: () => void): number;
  cancel(id: number | undefined): void;
}

/** Flash storage as Espruino's Storage module offers it: contiguous files, names of at most 28 chars. */
export interface Store {
  /** The file's bytes as a string (one char a byte), or undefined if it does not exist. */
  read(name: string): string | undefined;
  /**
   * Write `data` at `offset`. With `size`, (re)creates the file of that size first and the
   * rest stays erased (0xFF) so later writes can fill it without an erase. Without offset,
   * replaces the file. Returns false if flash is full.
   */
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
}

/** A byte stream as Espruino's `net`/`tls` sockets present it: strings with one char per byte. */
export interface Socket {
  write(data: string): void;
  end(): void;
  on(event: 'data', fn: (data: string) => void): void;
  on(event: 'close' | 'end', fn: () => void): void;
  on(event: 'error', fn: (err: { message?: string } | string) => void): void;
}

export interface TransportOptions {
  host: string;
  port: number;
  /** 'tls' uses DER key, certificate and CA read from Storage; 'tcp' is plain (LAN gateway). */
  kind: 'tls' | 'tcp';
  key?: string;
  cert?: string;
  ca?: string;
}

/**
 * Opens a connection. `onOpen` fires once the socket is usable; a failure that happens
 * before that (or a connect that throws, as some builds do) arrives as `onError`.
 * Returns the socket so the caller can attach data/close handlers, or undefined if
 * the connect failed synchronously (onError has been called).
 */
export type Connect = (opts: TransportOptions, onOpen: () => void, onError: (msg: string) => void) => Socket | undefined;

/** One console line. The device prints it; tests collect it. */
export type Log = (line: string) => void;
