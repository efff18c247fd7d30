// require("net") (and the socket half of "tls") over real Node sockets, with Espruino's event order
// (libs/network/socketserver.c). Sockets stall while Wi-Fi is down and time out if it stays down.
// No servers, no UDP.
import nodeNet from 'node:net';
import type { Realm } from './realm';
import type { Lifetime } from './lifetime';
import { bytesOf } from './storage-module';
import { createLinkDirection, type LinkDirection } from './link-speed';

/** libs/network/socketerrors.c */
export const socketErrors: Record<number, string> = {
  [-1]: 'connection closed', [-2]: 'out of memory', [-3]: 'timeout', [-4]: 'no route', [-5]: 'busy', [-6]: 'not found',
  [-7]: 'max sockets', [-8]: 'unsent data', [-9]: 'connection reset', [-10]: 'unknown error', [-11]: 'no connection',
  [-12]: 'bad argument', [-13]: 'SSL handshake failed', [-14]: 'invalid SSL data', [-15]: 'no response',
};

function errorCode(e: NodeJS.ErrnoException): number {
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
      return -9;
    case 'ETIMEDOUT':
      return -3;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return -6;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return -4;
    default:
      return -10;
  }
}

/*
 * Event order (socketClientConnectionsIdle): 'connect' with the socket, 'drain', 'data' as byte
 * strings; on close 'error' {code, message} if there was one, then 'end', then 'close'(hadError).
 */
export interface NetEnv {
  realm: Realm;
  life: Lifetime;
  /** Throws if the board has lost power. */
  guard(): void;
  /** True while the station has an IP address. */
  online(): boolean;
  /** Printed as an uncaught exception from the event loop (TLS handshake failures). */
  uncaught(error: Error): void;
  tcpTimeoutMs: number;
  /** Link speed each way (timing.ts linkBytesPerSecond); 0 = unthrottled. */
  linkBytesPerSecond?: number;
}

/** What tls.ts plugs in: wrap the TCP socket once connected; report handshake success/failure. */
export interface Upgrade {
  start(tcp: nodeNet.Socket, onReady: (stream: nodeNet.Socket) => void, onFail: (message: string) => void): void;
}

export interface SocketRegistry {
  connect(options: unknown, callback: unknown, upgrade?: Upgrade): object;
  /** Wi-Fi lost: sockets stop moving data; they die if it does not come back in time. */
  stall(): void;
  resume(): void;
  held(): object[];
}

interface Conn {
  sock: Record<string, any>;
  tcp?: nodeNet.Socket;
  stream?: nodeNet.Socket;
  ready: boolean;
  queue: Buffer[];
  ending: boolean;
  ended: boolean;
  closed: boolean;
  buffer: string;
  stallTimer?: number;
  /** The link's two directions (link-speed.ts): device to host, host to device. */
  up: LinkDirection;
  down: LinkDirection;
}

export function createSocketRegistry(env: NetEnv): SocketRegistry {
  const { realm, life } = env;
  const conns = new Set<Conn>();
  let stalled = false;

  function emit(c: Conn, event: string, args: unknown[]): void {
    realm.emit(c.sock, event, args);
  }

  /** Closes the connection the Espruino way; `graceful` leaves the host socket to flush and end. */
  function finish(c: Conn, code?: number, graceful = false): void {
    if (c.closed) return;
    c.closed = true;
    conns.delete(c);
    life.cancel(c.stallTimer);
    if (c.queue.length && code === undefined && !c.ending) code = -8;
    const hadError = code !== undefined && code !== -1;
    if (hadError) emit(c, 'error', [realm.data({ code, message: socketErrors[code!] ?? 'unknown error' })]);
    if (!c.ended) {
      c.ended = true;
      emit(c, 'end', []);
    }
    emit(c, 'close', [hadError]);
    if (!graceful) c.tcp?.destroy();
  }

  function flush(c: Conn): void {
    if (!c.ready || stalled || !c.stream) return;
    const s = c.stream;
    for (const b of c.queue.splice(0)) c.up.pass(b.length, () => !s.destroyed && s.write(b));
    if (c.ending) {
      c.up.pass(0, () => !s.destroyed && s.end(() => s.destroy()));
      finish(c, undefined, true);
    }
  }

  function attach(c: Conn, stream: nodeNet.Socket): void {
    c.stream = stream;
    // What arrives crosses the (possibly slow) link first; its end and errors come after its data.
    stream.on('data', (d: Buffer) =>
      c.down.pass(d.length, () => {
        if (c.closed) return;
        const text = d.toString('latin1');
        if (realm.listeners(c.sock, 'data').length) emit(c, 'data', [text]);
        else c.buffer += text;
      }),
    );
    stream.on('end', () => c.down.pass(0, () => finish(c)));
    stream.on('close', () => c.down.pass(0, () => finish(c)));
    stream.on('error', (e: NodeJS.ErrnoException) => c.down.pass(0, () => finish(c, errorCode(e))));
    if (stalled) stream.pause();
  }

  function open(c: Conn, host: string, port: number, upgrade?: Upgrade): void {
    const tcp = nodeNet.createConnection({ host, port });
    c.tcp = tcp;
    life.onKill(() => tcp.destroy());
    tcp.on('error', (e: NodeJS.ErrnoException) => finish(c, errorCode(e)));
    tcp.once('connect', () => {
      if (c.closed) return;
      // Espruino: 'connect' fires when TCP connects (for TLS, before the handshake)
      emit(c, 'connect', [c.sock]);
      if (!upgrade) {
        attach(c, tcp);
        c.ready = true;
        if (!c.queue.length) emit(c, 'drain', [c.sock]);
        flush(c);
        return;
      }
      upgrade.start(
        tcp,
        (stream) => {
          if (c.closed) return;
          attach(c, stream);
          c.ready = true;
          flush(c);
        },
        (message) => {
          if (c.closed) return;
          // network.c: the handshake error is an exception on the idle loop; the socket then
          // closes as "closed" (-1), which is not reported as an 'error' event.
          env.uncaught(realm.error('InternalError', `mbedtls_ssl_handshake returned ${message}`));
          finish(c, -1);
        },
      );
    });
  }

  function methods(c: Conn): void {
    const def = (k: string, fn: (...a: any[]) => unknown): void => {
      Object.defineProperty(c.sock, k, { value: fn, enumerable: false, writable: true });
    };
    def('write', (data: unknown) => {
      env.guard();
      if (!c.closed && !c.ending) c.queue.push(bytesOf(typeof data === 'string' ? data : String(data)));
      flush(c);
      return false;
    });
    def('end', (data: unknown) => {
      env.guard();
      if (data !== undefined) c.sock.write(data);
      if (c.closed || c.ending) return;
      c.ending = true;
      if (c.ready) flush(c);
      else if (!c.tcp) finish(c);
    });
    def('available', () => c.buffer.length);
    def('read', (n: unknown) => {
      const len = n === undefined ? c.buffer.length : Number(n);
      const out = c.buffer.slice(0, len);
      c.buffer = c.buffer.slice(len);
      return out;
    });
  }

  return {
    connect(options, callback, upgrade) {
      env.guard();
      let opts = options as Record<string, unknown>;
      if (typeof options === 'string') {
        const u = new URL(options.includes('://') ? options : `tcp://${options}`);
        opts = { host: u.hostname, port: Number(u.port) };
      }
      if (!opts || typeof opts !== 'object') throw realm.error('Error', `Expecting Options to be an Object but it was ${typeof options}`);
      if (callback !== undefined && typeof callback !== 'function') throw realm.error('Error', `Expecting Callback Function but got ${typeof callback}`);
      const sock = new realm.R.Object() as Record<string, any>;
      const speed = env.linkBytesPerSecond ?? 0;
      const c: Conn = { sock, ready: false, queue: [], ending: false, ended: false, closed: false, buffer: '', up: createLinkDirection(speed, life), down: createLinkDirection(speed, life) };
      methods(c);
      if (callback) sock.on('connect', callback);
      conns.add(c);
      const host = opts.host === undefined ? '127.0.0.1' : String(opts.host);
      const port = Number(opts.port) || (upgrade ? 443 : 0);
      if (!env.online()) {
        // ESP8266: the network stays "online" for Espruino, so the connect fails later, not at once
        life.soon(() => finish(c, -4));
      } else open(c, host, port, upgrade);
      return sock;
    },
    stall() {
      if (stalled) return;
      stalled = true;
      for (const c of conns) {
        c.stream?.pause();
        c.stallTimer = life.after(env.tcpTimeoutMs, () => {
          c.tcp?.destroy();
          finish(c, -3);
        });
      }
    },
    resume() {
      if (!stalled) return;
      stalled = false;
      for (const c of [...conns]) {
        life.cancel(c.stallTimer);
        c.stallTimer = undefined;
        c.stream?.resume();
        flush(c);
      }
    },
    held: () => [...conns].map((c) => c.sock),
  };
}

/** The `net` module object. */
export function createNetModule(realm: Realm, sockets: SocketRegistry): object {
  const m = new realm.R.Object();
  Object.defineProperty(m, 'connect', { value: (o: unknown, cb: unknown) => sockets.connect(o, cb), enumerable: true });
  Object.defineProperty(m, 'createServer', {
    value: () => {
      throw realm.error('Error', 'net.createServer is not simulated');
    },
    enumerable: true,
  });
  return m;
}
