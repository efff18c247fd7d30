// What the firmware core needs from the world. The core imports only these types;
// firmware/espruino/ implements them with Espruino's API, tests with fakes.
// Kept minimal on purpose: every method here is a function object in device RAM. The Store is
// Espruino's Storage module itself on the device.

/** Monotonic time and timers. `now()` is whole milliseconds since boot (from getTime() on the device). */
export interface Clock {
  /**
   * Milliseconds since boot, monotonic. Given `sec`, a system timestamp in seconds (what setWatch
   * reports as e.time), the same for that instant: so edges are timed by when they happened.
   */
  now(sec?: number): number;
  /** Milliseconds since the epoch once SNTP has set the clock, else null. */
  wall(): number | null;
  /** A timer id, never 0. */
  after(ms: number, fn: () => void): number;
  /** Only ever given an id from after(): Espruino's clearTimeout() without one clears every timer. */
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
  /**
   * 'tls' uses DER key, certificate and CA read from Storage; 'tcp' or absent is plain (LAN gateway).
   * The device leaves it out for plain TCP: a kept property costs 2 JsVars for good.
   */
  kind?: 'tls' | 'tcp';
  key?: string;
  cert?: string;
  ca?: string;
}

/**
 * Opens a connection and returns its socket at once. Writes made before it is open are queued
 * (Espruino's sockets do this), and every failure, before open or after, arrives as the socket's
 * 'error' and 'close' events; a connect that fails at once throws (some Espruino builds do on a
 * closed port). No callbacks: each function object costs device RAM.
 */
export type OpenSocket = (opts: TransportOptions) => Socket;

/** One console line. The device prints it; tests collect it. */
export type Log = (line: string) => void;
