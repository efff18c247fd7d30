// The console over TCP: Espruino's telnet server (port 23 on ESP8266/ESP32) or the simulator's.
// Telnet option negotiation is neither sent nor answered: Espruino's server sends none.
import net from 'node:net';
import { UserError } from '../shared/errors';
import { parseTcpPort } from './serial-ports';
import { createLink, type OpenOptions, type Transport } from './link';

export function openTcpTransport(port: string, opts: OpenOptions = {}): Promise<Transport> {
  const { host, port: tcpPort, url } = parseTcpPort(port);
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port: tcpPort });
    sock.setNoDelay(true);
    let open = false;
    let closed = false;
    let closing = false;
    const link = createLink(
      url,
      (b) => sock.write(b),
      () => closed,
      () =>
        new Promise<void>((res) => {
          closing = true;
          if (closed) return res();
          sock.once('close', () => res());
          sock.end();
          // A peer that never finishes the close handshake must not keep us waiting.
          setTimeout(() => sock.destroy(), 500).unref();
        }),
    );
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new UserError(`Nothing answers at ${url} (no connection within ${timeoutMs / 1000} s): check the device's IP address, that it is on this network, and that its telnet console is on.`, 'device-no-answer'));
    }, timeoutMs);
    sock.on('connect', () => {
      clearTimeout(timer);
      open = true;
      resolve(link);
    });
    sock.on('data', link.received);
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (open) return; // 'close' follows and reports it
      clearTimeout(timer);
      if (err.code === 'ECONNREFUSED') {
        // Our firmware closes the telnet console at boot: a refusal is what a locked board says.
        reject(new UserError(`${url} refused the connection: the board's LAN console is closed unless it is in maintenance mode, so hold its FLASH button for 10 s (the LED then stays mostly lit) and run this again within the window, or use USB serial.`, 'device-console-closed'));
      } else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
        reject(new UserError(`The host in ${url} is unknown: use the device's IP address (shown by your router, or by Wifi.getIP() on the device).`, 'port-invalid'));
      } else {
        reject(new UserError(`Cannot connect to ${url} (${err.code ?? err.message}): check the address and that the device is on this network.`, 'device-no-answer'));
      }
    });
    sock.on('close', () => {
      const was = closed;
      closed = true;
      if (open && !was && !closing) link.ended('the connection closed');
    });
  });
}
