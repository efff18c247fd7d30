// One MQTT 3.1.1 session over a Socket (open or still opening: the socket queues writes until then):
// CONNECT/CONNACK, QoS 0/1 publish, subscribe, incoming QoS 0/1 PUBLISH (acknowledged), keepalive
// with dead-connection detection. It does not reconnect, retransmit, queue or track in-flight ids.
import type { Clock, Socket } from '../../ports';
import { Mq, Packet, type MqttClient, type MqttEvents, type MqttOptions } from './types';
import { connectPacket, field, frame } from './encode';
import { readPacket } from './decode';

export { Mq, Packet } from './types';
export type { MqttClient, MqttEvents, MqttOptions, MqttPacket, MqttWill } from './types';

// RAM (measured on the 2v29 interpreter): one closure scope and three functions per connected
// client: the handle (also the timer callback), the data handler, and close (also the socket's
// 'close' and 'error' handler). Incoming bytes stay in one string that never holds more than one
// unfinished packet. The options are read once: only keepalive and the size limit are kept.
/** Where the session is. Inlined as numbers by the build (a small integer costs 1 JsVar in a scope). */
const enum State {
  AwaitingConnack,
  Connected,
  Closed,
}

export function createMqttClient(socket: Socket, clock: Clock, opts: MqttOptions, on: MqttEvents): MqttClient {
  const keepaliveS = opts.keepalive; // seconds: up to 1023 a kept integer takes 1 JsVar, 60000 (ms) 2
  const maxPacket = opts.maxPacket;
  let state = State.AwaitingConnack;
  let received = ''; // bytes of at most one unfinished packet
  let lastId = 0;
  let sentAt = 0; // when we last sent a packet: keepalive counts from there [MQTT-3.1.2-23]
  let pinging = 0; // 1: a PINGREQ is waiting for an answer; any incoming byte counts as one
  let timer = 0; // 0 when none (timer ids are never 0)

  // 'close' brings a hadError boolean (Espruino and Node alike), 'error' an object with a message
  // ({code, message} on Espruino); a socket error given as a plain string is reported as that string.
  function close(why?: string | boolean | { message?: string }): void {
    if (state === State.Closed) return;
    if (typeof why !== 'string') why = why && typeof why === 'object' ? 'socket error: ' + (why.message || 'unknown') : 'socket closed';
    state = State.Closed;
    if (timer) clock.cancel(timer);
    received = '';
    try {
      socket.end();
    } catch (e) {
      // already gone: nothing more to release
    }
    on(Packet.Closed, why);
  }

  // The handle (MqttClient), and the timer when called with no op (the CONNACK wait, the keepalive,
  // the ping wait); Mq.Send (ours only) sends the bytes given (CONNECT, PUBACK). Every packet goes
  // out at its end, so keepalive sees every send and a write that throws closes the session.
  // Arguments by op: Publish (topic, payload, qos, retain), Subscribe (filter, qos), Send (bytes).
  // It is the socket's 'data' handler too (op is then a string of bytes): one function object and
  // its scope fewer for the whole session (measured on 2v29).
  function session(op?: Mq | string, topic?: any, payload?: any, qos?: any, retain?: any): any {
    if (typeof op === 'string') {
      if (state === State.Closed) return;
      if (pinging) {
        pinging = 0;
        if (timer) clock.cancel(timer);
        timer = clock.after(sentAt + keepaliveS * 1000 - clock.now(), session);
      }
      received += op;
      // A handler that throws must not escape into the socket's event loop.
      try {
        for (;;) {
          const packet = readPacket(received, maxPacket);
          if (!packet) return;
          if (typeof packet === 'string') return close(packet);
          received = received.substr(packet.n);
          // [MQTT-3.2.0-1]: CONNACK comes first, and only once.
          if ((packet.type === Packet.Connack) !== (state === State.AwaitingConnack)) return close('protocol error: ' + (state ? 'second CONNACK' : 'packet before CONNACK'));
          if (packet.type === Packet.Connack) {
            // [MQTT-3.2.2.3]: the return codes 1..5 by name; 6..255 are reserved.
            if (packet.code)
              return close(
                'CONNACK ' + packet.code + ': ' +
                  (['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'][packet.code] || 'refused'),
              );
            state = State.Connected;
            if (timer) clock.cancel(timer);
            timer = keepaliveS ? clock.after(sentAt + keepaliveS * 1000 - clock.now(), session) : 0;
          }
          // PINGRESP: its bytes already answered the ping above.
          if (packet.type !== Packet.Pingresp) on(packet.type as Packet.Connack, packet);
          if ((state as State) === State.Closed) return; // the handler may have ended the session
          // A QoS 1 PUBLISH is acknowledged once handled [MQTT-4.3.2-2]: if handling threw, no PUBACK
          // goes out and the broker sends it again.
          if (packet.type === Packet.Publish && packet.id) session(Mq.Send, String.fromCharCode(0x40, 2, packet.id >> 8, packet.id & 255));
        }
      } catch (e) {
        close('error: ' + ((e && (e as { message?: string }).message) || e));
      }
      return;
    }
    let bytes = '';
    let id = 0;
    if (op! < Mq.Timer) bytes = topic; // Mq.Send
    else if (!op) {
      timer = 0;
      if (state !== State.Connected || pinging) return close(state ? 'ping timeout' : 'no CONNACK');
      const due = sentAt + keepaliveS * 1000 - clock.now();
      if (due > 0) {
        timer = clock.after(due, session);
        return;
      }
      // [MQTT-3.1.2-23]: nothing sent for a keepalive, so PINGREQ [MQTT-3.12.4-1]; the answer may take
      // one keepalive, or 30 s at most.
      bytes = '\xc0\x00';
      pinging = 1;
      timer = clock.after(keepaliveS < 30 ? keepaliveS * 1000 : 30000, session);
    } else if (state === State.Closed) return op === Mq.End ? undefined : -1;
    else if (op === Mq.End) {
      bytes = '\xe0\x00'; // DISCONNECT; then close the connection [MQTT-3.14.4-1]
    } else {
      // PUBLISH [MQTT-3.3] or SUBSCRIBE [MQTT-3.8]: packet ids 1..65535, never 0 [MQTT-2.3.1-1], only
      // for QoS > 0 [MQTT-2.3.1-5], and always for SUBSCRIBE; payloads are raw bytes. A SUBSCRIBE's
      // requested QoS comes as the second argument.
      const subscribe = op === Mq.Subscribe;
      if (qos || subscribe) id = lastId = (lastId % 65535) + 1;
      const idBytes = id ? String.fromCharCode(id >> 8, id & 255) : '';
      bytes = subscribe
        ? frame(0x82, idBytes + field(topic) + String.fromCharCode(payload))
        : frame(0x30 | (qos << 1) | (retain ? 1 : 0), field(topic) + idBytes + payload);
    }
    sentAt = clock.now();
    try {
      socket.write(bytes);
    } catch (e) {
      close('socket error: write failed');
    }
    if (op === Mq.End) close('ended by client');
    return id;
  }

  socket.on('data', session);
  socket.on('close', close);
  socket.on('error', close);
  timer = clock.after(30000, session); // CONNACK wait; it includes the TCP connect and, on Espruino, the TLS handshake
  session(Mq.Send, connectPacket(opts));
  opts = 0 as never; // Espruino closures keep their whole scope: not the options object
  return session;
}
