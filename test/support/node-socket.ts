// Adapts a Node tls/net socket to the firmware's Socket port (latin1 strings, Espruino-style events),
// so firmware code runs against real brokers in tests. It does not reconnect or buffer anything itself.
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createPrivateKey } from 'node:crypto';
import type { Socket, TransportOptions } from '../../firmware/ports';

/** TransportOptions, but key material may also be Buffers. Strings are PEM text or DER bytes (latin1), as on the device. */
export interface NodeTransportOptions extends Omit<TransportOptions, 'key' | 'cert' | 'ca'> {
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer;
}

function bytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

function isPem(b: Buffer): boolean {
  return b.subarray(0, 10).toString('latin1') === '-----BEGIN';
}

function certPem(v: string | Buffer | undefined): string | undefined {
  if (v === undefined) return undefined;
  const b = bytes(v);
  if (isPem(b)) return b.toString('utf8');
  const lines = b.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function keyPem(v: string | Buffer | undefined): string | undefined {
  if (v === undefined) return undefined;
  const b = bytes(v);
  if (isPem(b)) return b.toString('utf8');
  // The device stores PKCS#1 or PKCS#8 DER; Node wants PEM.
  for (const type of ['pkcs1', 'pkcs8'] as const) {
    try {
      return createPrivateKey({ key: b, format: 'der', type }).export({ type: 'pkcs8', format: 'pem' }).toString();
    } catch {
      // try the other form
    }
  }
  throw new Error('The private key is neither PEM nor PKCS#1/PKCS#8 DER.');
}

/**
 * Opens a tls or tcp connection and presents it as the firmware's Socket: 'data' gives latin1
 * strings, write() takes them. Either onOpen fires (then socket events follow) or onError fires
 * once (and no socket events follow). Unlike Espruino, the server
 * certificate is verified whenever `ca` is given; without `ca` it is not verified, as on the device.
 */
export function connectNodeSocket(
  opts: NodeTransportOptions,
  onOpen: () => void,
  onError: (msg: string) => void,
): Socket | undefined {
  let open = false;
  let failed = false;
  let sock: NetSocket;
  try {
    sock =
      opts.kind === 'tls'
        ? tlsConnect({
            host: opts.host,
            port: opts.port,
            key: keyPem(opts.key),
            cert: certPem(opts.cert),
            ca: certPem(opts.ca),
            rejectUnauthorized: opts.ca !== undefined,
            minVersion: 'TLSv1.2',
          })
        : netConnect({ host: opts.host, port: opts.port });
  } catch (e) {
    onError((e as Error).message);
    return undefined;
  }
  sock.once(opts.kind === 'tls' ? 'secureConnect' : 'connect', () => {
    if (failed) return;
    open = true;
    onOpen();
  });
  sock.on('error', (e) => {
    if (open || failed) return;
    failed = true;
    onError(e.message);
  });
  return {
    write(data: string) {
      if (!sock.destroyed) sock.write(Buffer.from(data, 'latin1'));
    },
    end() {
      sock.end();
    },
    on(event: 'data' | 'close' | 'end' | 'error', fn: (arg?: any) => void) {
      if (event === 'data') sock.on('data', (b: Buffer) => fn(b.toString('latin1')));
      else if (event === 'error') sock.on('error', (e: Error) => open && fn({ message: e.message }));
      // Espruino passes no argument with 'close' or 'end'.
      else sock.on(event, () => open && fn());
    },
  } as Socket;
}
