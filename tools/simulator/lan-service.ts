// A TCP service of the virtual board on 127.0.0.1 that listens only while it is switched on (the
// board's telnet console, its port-88 update server): off, its port refuses connections and its
// clients are dropped. The port is fixed when it is made, so a test can probe it open and closed.
import net from 'node:net';

export interface LanService {
  readonly port: number;
  /** Listen (true) or close and drop every client (false). Repeated calls are cheap. */
  set(on: boolean): void;
  readonly listening: boolean;
  /** Resolves once every set() so far has taken effect. */
  settled(): Promise<void>;
  clients(): net.Socket[];
  close(): Promise<void>;
}

/** Finds a free port on 127.0.0.1 (0 = any) and keeps it for the service's whole life. */
export async function createLanService(port: number, onClient: (sock: net.Socket) => void): Promise<LanService> {
  const fixed = port || (await freePort());
  const socks = new Set<net.Socket>();
  let server: net.Server | undefined;
  let want = false;
  let chain: Promise<void> = Promise.resolve();

  function open(): Promise<void> {
    const s = net.createServer((sock) => {
      socks.add(sock);
      sock.on('error', () => sock.destroy());
      sock.on('close', () => socks.delete(sock));
      onClient(sock);
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(fixed, '127.0.0.1', () => {
        s.off('error', reject);
        server = s;
        resolve();
      });
    });
  }
  function shut(): Promise<void> {
    const s = server;
    server = undefined;
    for (const c of socks) c.destroy();
    socks.clear();
    return s ? new Promise<void>((r) => s.close(() => r())) : Promise.resolve();
  }
  const svc: LanService = {
    port: fixed,
    get listening() {
      return want;
    },
    set(on) {
      if (on === want) return;
      want = on;
      chain = chain.then(() => (want ? (server ? undefined : open()) : shut())).catch(() => undefined);
    },
    settled: () => chain,
    clients: () => [...socks],
    async close() {
      want = false;
      await chain;
      await shut();
    },
  };
  return svc;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
