// A stand-in for the ESP8266 build's firmware-update server on port 88 (libs/network/esp8266/ota.c,
// started in C at boot, no authentication, not closable from JavaScript): it answers as ota.c does
// (GET /flash/next, POST /flash/upload and /flash/reboot; 404 otherwise) but never writes flash.
import type net from 'node:net';

const HEAD = 'Content-Type: text/plain\r\nContent-Length: %L\r\nConnection: close\r\nCache-Control: no-store, no-cache, must-revalidate\r\n\r\n';

/** ota.c's sendResponse: "OK" below 400, "ERROR" from 400. */
export function otaResponse(code: number, text: string): string {
  return `HTTP/1.1 ${code} ${code < 400 ? 'OK' : 'ERROR'}\r\n` + HEAD.replace('%L', String(Buffer.byteLength(text))) + text;
}

/** Serves one request on the socket, then closes it. */
export function serveFota(sock: net.Socket): void {
  let buf = Buffer.alloc(0);
  let done = false;
  const reply = (code: number, text: string): void => {
    done = true;
    sock.end(otaResponse(code, text));
  };
  sock.on('data', (d: Buffer) => {
    if (done) return;
    buf = Buffer.concat([buf, d]);
    // ota.c buffers 512 bytes: a longer header is dropped.
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length >= 512) sock.destroy();
      return;
    }
    const line = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
    const sp = line.indexOf(' ');
    if (sp < 0) return reply(400, 'Invalid HTTP request');
    const verb = line.slice(0, sp);
    const path = line.slice(sp + 1).split(' ')[0];
    const m = /Content-Length:\s*(\d+)/.exec(buf.subarray(0, end).toString('latin1'));
    const len = m ? Number(m[1]) : 0;
    const body = buf.subarray(end + 4);
    if (verb === 'GET' && path === '/flash/next') return reply(200, 'user2.bin');
    if (verb === 'POST' && path === '/flash/upload') {
      if (len < 512) return reply(400, 'Firmware too small');
      if (body.length > 0 && body[0] !== 0xea) return reply(400, 'IROM magic missing');
      if (body.length === 0) return; // waits for the body
      return reply(400, 'bad flash header'); // the stand-in never writes flash
    }
    if (verb === 'POST' && path === '/flash/reboot') return reply(400, 'IROM magic missing');
    return reply(404, 'Not found');
  });
}
