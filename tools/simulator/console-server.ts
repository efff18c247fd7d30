// The device console served over TCP on 127.0.0.1, like Espruino's telnet console. It survives
// reboots, as a USB serial link does; telnet negotiation (IAC) is dropped, never answered.
import net from 'node:net';

export interface ConsoleServer {
  readonly port: number;
  /** Send terminal bytes to all clients. */
  write(text: string): void;
  close(): Promise<void>;
}

/** Removes telnet IAC sequences (IAC cmd, IAC WILL/WONT/DO/DONT opt, IAC SB ... IAC SE). */
export function stripTelnet(buf: Buffer): Buffer {
  if (!buf.includes(0xff)) return buf;
  const out: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0xff) {
      out.push(buf[i]);
      continue;
    }
    const cmd = buf[i + 1];
    if (cmd === 0xff) {
      out.push(0xff);
      i++;
    } else if (cmd >= 251 && cmd <= 254) i += 2;
    else if (cmd === 250) {
      const end = buf.indexOf(Buffer.from([0xff, 240]), i + 2);
      i = end < 0 ? buf.length : end + 1;
    } else i++;
  }
  return Buffer.from(out);
}

export function startConsoleServer(port: number, input: (text: string) => void): Promise<ConsoleServer> {
  const clients = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    clients.add(sock);
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => input(stripTelnet(d).toString('latin1')));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => clients.delete(sock));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        write(text) {
          if (!text) return;
          const b = Buffer.from(text, 'latin1');
          for (const c of clients) c.write(b);
        },
        close() {
          for (const c of clients) c.destroy();
          clients.clear();
          return new Promise<void>((res) => server.close(() => res()));
        },
      });
    });
  });
}
