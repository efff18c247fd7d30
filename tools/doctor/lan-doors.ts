// What an ESP8266 board exposes on the LAN, seen from this computer: does its telnet console (port
// 23) accept a connection, and does its firmware-update server (port 88, ota.c) answer
// GET /flash/next. It only connects and reads; it never sends to port 23 or uploads anything.
import net from 'node:net';

export type DoorState = 'open' | 'closed' | 'unreachable';

export interface LanDoors {
  telnet: DoorState;
  /** The update server: 'open' with its answer, when it answers like ota.c. */
  fota: DoorState;
  fotaReply?: string;
}

/** Where to connect for the board's (ip, port): the board itself, or a stand-in in tests. */
export type LanAddress = (ip: string, port: number) => { host: string; port: number };

const direct: LanAddress = (ip, port) => ({ host: ip, port });

function connect(host: string, port: number, timeoutMs: number, send?: string): Promise<{ state: DoorState; reply: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let reply = '';
    let state: DoorState = 'unreachable';
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve({ state, reply });
    };
    const t = setTimeout(done, timeoutMs);
    // Open means it spoke: Espruino's console sends its prompt to a new telnet client at once, and
    // ota.c answers the request. A silent accept (a firewall or proxy on the way) proves nothing.
    s.on('connect', () => {
      if (send) s.write(send);
    });
    s.on('data', (d: Buffer) => {
      state = 'open';
      reply += d.toString('latin1');
      if (!send || reply.length > 2048) done();
    });
    s.on('end', done);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') state = 'closed';
      done();
    });
  });
}

/**
 * `viaTelnet`: doctor itself holds the board's telnet console. Then port 23 is known to be open and
 * is not tried: Espruino's server drops its current client when another connects (jswrap_telnet.c).
 */
export async function probeLanDoors(ip: string, o: { address?: LanAddress; timeoutMs?: number; viaTelnet?: boolean } = {}): Promise<LanDoors> {
  const at = o.address ?? direct;
  const ms = o.timeoutMs ?? 2000;
  const t = at(ip, 23);
  const f = at(ip, 88);
  const [telnet, fota] = await Promise.all([
    o.viaTelnet ? { state: 'open' as DoorState, reply: '' } : connect(t.host, t.port, ms),
    connect(f.host, f.port, ms, `GET /flash/next HTTP/1.1\r\nHost: ${ip}\r\n\r\n`),
  ]);
  const answered = fota.state === 'open' && /^HTTP\/1\.1 \d{3} /.test(fota.reply);
  return {
    telnet: telnet.state,
    fota: answered ? 'open' : fota.state === 'open' ? 'closed' : fota.state,
    fotaReply: answered ? fota.reply.split('\r\n')[0] + ' ' + fota.reply.split('\r\n\r\n')[1] : undefined,
  };
}
