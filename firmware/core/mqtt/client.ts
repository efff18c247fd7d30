// One MQTT 3.1.1 session over a Socket (open or still opening: the socket queues writes until then):
// CONNECT/CONNACK, QoS 0/1 publish, subscribe, incoming QoS 0/1 PUBLISH (acknowledged), keepalive
// with dead-connection detection. It does not reconnect, retransmit, queue or track in-flight ids.
import type { Clock, Socket } from '../../ports';
import { Mq, type MqttClient, type MqttEvents, type MqttOptions } from './types';
import { connectPacket, field, frame } from './encode';
import { readPacket } from './decode';

export { Mq } from './types';
export type { MqttClient, MqttEvents, MqttOptions, MqttPacket, MqttWill } from './types';

// RAM (measured on the 2v29 interpreter): one closure scope and three functions per connected
// client: the handle (also the timer callback), the data handler, and close (also the socket's
// 'close' and 'error' handler). Incoming bytes stay in one string that never holds more than one
// unfinished packet. The options are read once: only keepalive and the size limit are kept.
export function createMqttClient(socket: Socket, clock: Clock, opts: MqttOptions, on: MqttEvents): MqttClient {
  const ka = opts.keepalive * 1000;
  const max = opts.maxPacket;
  let st = 0; // 0 waiting for CONNACK, 1 connected, 2 closed
  let buf = '';
  let nid = 0;
  let tx = 0; // when we last sent a packet: keepalive counts from there [MQTT-3.1.2-23]
  let ping = 0; // 1: a PINGREQ is waiting for an answer; any incoming byte counts as one
  let tm = 0; // the timer, 0 when none (timer ids are never 0)

  // 'close' brings a hadError boolean (Espruino and Node alike), 'error' an object with a message
  // ({code, message} on Espruino); a socket error given as a plain string is reported as that string.
  function close(why?: string | boolean | { message?: string }): void {
    if (st === 2) return;
    if (typeof why !== 'string') why = why && typeof why === 'object' ? 'socket error: ' + (why.message || 'unknown') : 'socket closed';
    st = 2;
    if (tm) clock.cancel(tm);
    buf = '';
    try {
      socket.end();
    } catch (e) {
      // already gone: nothing more to release
    }
    on(0, why);
  }

  // The handle. Called with no op, it is the timer: the CONNACK wait, the keepalive, the ping wait;
  // op -1 (ours only) sends the bytes `a` (CONNECT, PUBACK). Every packet goes out at its end, so
  // keepalive sees every send and a write that throws closes the session.
  function c(op?: number, a?: any, b?: any, q?: any, r?: any): any {
    let p = '';
    let id = 0;
    if (op! < 0) p = a;
    else if (!op) {
      tm = 0;
      if (st !== 1 || ping) return close(st ? 'ping timeout' : 'no CONNACK');
      const due = tx + ka - clock.now();
      if (due > 0) {
        tm = clock.after(due, c);
        return;
      }
      // [MQTT-3.1.2-23]: nothing sent for a keepalive, so PINGREQ [MQTT-3.12.4-1]; the answer may take
      // one keepalive, or 30 s at most.
      p = '\xc0\x00';
      ping = 1;
      tm = clock.after(ka < 30000 ? ka : 30000, c);
    } else if (st === 2) return op === Mq.End ? undefined : -1;
    else if (op === Mq.End) {
      p = '\xe0\x00'; // DISCONNECT; then close the connection [MQTT-3.14.4-1]
    } else {
      // PUBLISH [MQTT-3.3] or SUBSCRIBE [MQTT-3.8]: packet ids 1..65535, never 0 [MQTT-2.3.1-1], only
      // for QoS > 0 [MQTT-2.3.1-5], and always for SUBSCRIBE; payloads are raw bytes.
      const sub = op === Mq.Subscribe;
      if (q || sub) id = nid = (nid % 65535) + 1;
      const i = id ? String.fromCharCode(id >> 8, id & 255) : '';
      p = sub ? frame(0x82, i + field(a) + String.fromCharCode(b)) : frame(0x30 | (q << 1) | (r ? 1 : 0), field(a) + i + b);
    }
    tx = clock.now();
    try {
      socket.write(p);
    } catch (e) {
      close('socket error: write failed');
    }
    if (op === Mq.End) close('ended by client');
    return id;
  }

  socket.on('data', function (d: string) {
    if (st === 2) return;
    if (ping) {
      ping = 0;
      if (tm) clock.cancel(tm);
      tm = clock.after(tx + ka - clock.now(), c);
    }
    buf += d;
    // A handler that throws must not escape into the socket's event loop.
    try {
      for (;;) {
        const k = readPacket(buf, max);
        if (!k) return;
        if (typeof k === 'string') return close(k);
        buf = buf.substr(k.n);
        // [MQTT-3.2.0-1]: CONNACK comes first, and only once.
        if ((k.type === 2) !== (st === 0)) return close('protocol error: ' + (st ? 'second CONNACK' : 'packet before CONNACK'));
        if (k.type === 2) {
          // [MQTT-3.2.2.3]: the return codes 1..5 by name; 6..255 are reserved.
          if (k.code)
            return close(
              'CONNACK ' + k.code + ': ' +
                (['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'][k.code] || 'refused'),
            );
          st = 1;
          if (tm) clock.cancel(tm);
          tm = ka ? clock.after(tx + ka - clock.now(), c) : 0;
        }
        // 13 PINGRESP: its bytes already answered the ping above.
        if (k.type !== 13) on(k.type as 2, k);
        if (st === 2) return;
        // A QoS 1 PUBLISH is acknowledged once handled [MQTT-4.3.2-2]: if handling threw, no PUBACK
        // goes out and the broker sends it again.
        if (k.type === 3 && k.id) c(-1, String.fromCharCode(0x40, 2, k.id >> 8, k.id & 255));
      }
    } catch (e) {
      close('error: ' + ((e && (e as { message?: string }).message) || e));
    }
  });
  socket.on('close', close);
  socket.on('error', close);
  tm = clock.after(30000, c); // CONNACK wait; it includes the TCP connect and, on Espruino, the TLS handshake
  c(-1, connectPacket(opts));
  opts = 0 as never; // Espruino closures keep their whole scope: not the options object
  return c;
}
