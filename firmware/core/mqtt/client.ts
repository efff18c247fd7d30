// One MQTT 3.1.1 session over an already-open Socket: CONNECT/CONNACK, QoS 0/1 publish and subscribe,
// keepalive with dead-connection detection. It does not reconnect, retransmit, queue or track in-flight ids.
import type { Clock, Socket } from '../../ports';
import type { MqttClient, MqttEvents, MqttOptions } from './types';
import { connectPacket, field, frame, u16 } from './encode';
import { packetLength, parsePacket } from './decode';
import { connackReason } from './connack';

export type { MqttClient, MqttEvents, MqttOptions, MqttWill } from './types';

// Not exported, so esbuild inlines them instead of keeping variables on the device.
/** How long CONNACK may take (ms). On Espruino it includes the TLS handshake, which starts after open. */
const CONNACK_WAIT = 30000;
/** The longest wait (ms) for any byte after a PINGREQ; a shorter keepalive waits one keepalive instead. */
const PING_WAIT = 30000;

// RAM (measured on the 2v29 interpreter): about 100 JsVars per connected client: one closure scope,
// eight small functions and a timer. Options are read from `opts` rather than copied, to save variables.
// Incoming bytes stay in one string that never holds more than one unfinished packet.
export function createMqttClient(socket: Socket, clock: Clock, opts: MqttOptions, events: MqttEvents): MqttClient {
  let st = 0; // 0 waiting for CONNACK, 1 connected, 2 closed
  let buf = '';
  let nid = 0;
  let tx = 0; // when we last sent a packet: keepalive counts from there [MQTT-3.1.2-23]
  let ping = false; // a PINGREQ is waiting for an answer; any incoming byte counts as one
  let tm: number | undefined;

  // Also the socket's 'close' and 'error' handler (one function less in RAM). 'close' brings a hadError
  // boolean (Espruino and Node alike), 'error' an object with a message ({code, message} on Espruino);
  // a socket error given as a plain string is reported as that string.
  function close(why?: string | boolean | { message?: string }): void {
    if (st === 2) return;
    if (typeof why !== 'string') why = why && typeof why === 'object' ? 'socket error: ' + (why.message || 'unknown') : 'socket closed';
    st = 2;
    clock.cancel(tm);
    buf = '';
    try {
      socket.end();
    } catch (e) {
      // already gone: nothing more to release
    }
    events.closed(why);
  }

  function send(p: string): void {
    tx = clock.now();
    try {
      socket.write(p);
    } catch (e) {
      close('socket error: write failed');
    }
  }

  function arm(ms: number): void {
    clock.cancel(tm);
    tm = clock.after(ms, tick);
  }

  function tick(): void {
    tm = undefined;
    if (st !== 1 || ping) return close(st ? 'ping timeout' : 'no CONNACK');
    const ka = opts.keepalive * 1000;
    const due = tx + ka - clock.now();
    if (due > 0) return arm(due);
    // [MQTT-3.1.2-23]: nothing sent for a keepalive, so PINGREQ [MQTT-3.12.4-1].
    send('\xc0\x00'); // PINGREQ
    ping = true;
    arm(ka < PING_WAIT ? ka : PING_WAIT);
  }

  function onData(d: string): void {
    if (st === 2) return;
    if (ping) {
      ping = false;
      arm(tx + opts.keepalive * 1000 - clock.now());
    }
    buf += d;
    // A handler that throws must not escape into the socket's event loop.
    try {
      for (;;) {
        const n = packetLength(buf, opts.maxPacket);
        if (!n) return;
        if (n < 0) return close(n < -1 ? 'packet too large' : 'malformed remaining length');
        const k = parsePacket(buf.substr(0, n));
        buf = buf.substr(n);
        if (typeof k === 'string') return close(k);
        // [MQTT-3.2.0-1]: CONNACK comes first, and only once.
        if ((k.type === 2) !== (st === 0)) return close('protocol error: ' + (st ? 'second CONNACK' : 'packet before CONNACK'));
        switch (k.type) {
          case 2:
            if (k.code) return close(connackReason(k.code));
            st = 1;
            if (opts.keepalive) arm(tx + opts.keepalive * 1000 - clock.now());
            else clock.cancel(tm);
            events.connected(k.sp);
            break;
          case 3:
            events.message(k.topic, k.payload, k.qos, k.retain);
            // [MQTT-4.3.2-2]: acknowledge QoS 1 once it has been handed over.
            if (k.qos && st === 1) send(frame(0x40, u16(k.id))); // PUBACK [MQTT-3.4]
            break;
          case 4:
            events.puback(k.id);
            break;
          case 9:
            events.suback(k.id, k.granted);
            break;
          // 13 PINGRESP: its bytes already answered the ping above.
        }
        if (st === 2) return;
      }
    } catch (e) {
      close('error: ' + ((e && (e as { message?: string }).message) || e));
    }
  }

  socket.on('data', onData);
  socket.on('close', close);
  socket.on('error', close);
  arm(CONNACK_WAIT);
  send(connectPacket(opts));

  return {
    publish(topic, payload, qos, retain) {
      if (st === 2) return -1;
      const id = qos ? (nid = (nid % 65535) + 1) : 0; // 1..65535, never 0 [MQTT-2.3.1-1]
      // PUBLISH [MQTT-3.3]: the packet id is there only for QoS > 0 [MQTT-2.3.1-5]; the payload is raw bytes.
      send(frame(0x30 | (qos << 1) | (retain ? 1 : 0), field(topic) + (qos ? u16(id) : '') + payload));
      return id;
    },
    subscribe(topic, qos) {
      if (st === 2) return -1;
      nid = (nid % 65535) + 1;
      // SUBSCRIBE [MQTT-3.8]: header flags 0010 [MQTT-3.8.1-1], one filter per packet.
      send(frame(0x82, u16(nid) + field(topic) + String.fromCharCode(qos)));
      return nid;
    },
    end() {
      if (st === 2) return;
      send('\xe0\x00'); // DISCONNECT; then close the connection [MQTT-3.14.4-1]
      close('ended by client');
    },
  };
}
