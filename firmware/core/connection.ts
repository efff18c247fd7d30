// Keeps one MQTT session to the broker alive: opens the transport, starts the client,
// retries with exponential backoff and full jitter. It does not know about presses or LEDs;
// the app reacts to Up/Down. (Moddable's split: a plain client, reconnection on top.)
import type { Clock, Log, OpenSocket, TransportOptions } from '../ports';
import { createMqttClient, Mq, type MqttClient, type MqttOptions, type MqttPacket } from './mqtt/client';
import { backoffDelay } from './backoff';

/** What the connection tells the app. Inlined as numbers by the build; 4 is MQTT's own packet type. */
export const enum Link {
  /** (client, 'host:port'): the session is up (CONNACK accepted). */
  Up = 20,
  /** (reason, fatal): the session ended; fatal means retrying will not help until config changes (e.g. not authorized). */
  Down,
  /** Asked before every attempt, so credentials that must change per connect (gateway counter) can. */
  Session,
}

/** The app's side: one function (each function object costs device RAM). */
export interface ConnectionHooks {
  (ev: Link.Up, client: MqttClient, where: string): void;
  (ev: Link.Down, reason: string, fatal: boolean): void;
  (ev: Link.Session): MqttOptions;
  /** A PUBACK. */
  (ev: 4, packet: MqttPacket): void;
}

export const enum Conn {
  /** Begin connecting (after Wi-Fi is up). Idempotent. */
  Start = 10,
  /** Drop the session and stop retrying (Wi-Fi went down). */
  Stop,
}

export type Connection = (op: Conn) => void;

/** With `once` (the device's boot, which makes one connection) the factory frees its own function object. */
export let createConnection = function (
  transport: TransportOptions,
  backoff: { baseMs: number; capMs: number },
  clock: Clock,
  connect: OpenSocket,
  log: Log,
  hook: ConnectionHooks,
  once?: 1,
): Connection {
  if (once) createConnection = 0 as never; // a top-level function would otherwise stay in RAM for good
  const base = backoff.baseMs;
  const cap = backoff.capMs;
  backoff = 0 as never; // Espruino closures keep their whole scope: not the object
  // Long-lived state is a handful of numbers; the client exists only while a session does.
  let running = 0;
  let attempt = 0;
  let timer = 0; // 0 when none (timer ids are never 0)
  let client: MqttClient | undefined;
  let phase = 0; // 0 idle or stopped, 1 waiting to retry, 2 attempt under way (connect + CONNACK), 3 up

  // One function is the handle (Start/Stop), the timer (no op: the retry wait or the attempt's time
  // limit, by phase) and the MQTT client's event function (0 closed, 2 connected, 4 passed to the app).
  // The client is made as soon as the socket is: writes before it opens are queued (Espruino and the
  // Node adapters alike), and every failure, before open or after, reaches it as a socket event, so
  // no per-attempt callbacks are kept (each function object costs RAM).
  function k(op?: number, a?: any): void {
    let why = '';
    // Made per call: kept in the scope, "host:port" would cost a few JsVars for the device's life.
    const where = transport.host + ':' + transport.port;
    if (op === Conn.Start) {
      if (running) return;
      running = 1;
      attempt = 0;
      phase = 1;
      op = undefined; // open now
    } else if (op === Conn.Stop) {
      running = 0;
      phase = 0;
    } else if (op === 3 || op === 4) return hook(op as 4, a); // an incoming PUBLISH, a PUBACK
    else if (op === 2) {
      phase = 3;
      if (timer) clock.cancel(timer);
      timer = 0;
      attempt = 0; // a good connection resets the backoff
      return hook(Link.Up, client!, where);
    }
    if (op === undefined) {
      timer = 0;
      if (phase === 1) {
        if (!running) return;
        // An attempt: one time limit for the connect and the CONNACK together.
        phase = 2;
        timer = clock.after(20000, k);
        try {
          const c = createMqttClient(connect(transport), clock, hook(Link.Session), k);
          if (phase === 2) client = c; // else it closed while starting and has been dealt with
          return;
        } catch (e) {
          // Some builds throw at once on a closed port instead of raising `error` (docs/espruino.md).
          why = 'cannot reach ' + where + ' (' + ((e && (e as { message?: string }).message) || e) + ')';
        }
      } else if (phase !== 2) return;
      else why = 'no answer from ' + where;
    } else if (op === 0) {
      if (phase < 2) return; // the close of a client we ended ourselves
      why = a;
      // Espruino reports a failed TLS handshake only as a close (no error event).
      if (phase === 2 && transport.kind === 'tls' && why === 'socket closed') why += ' before CONNACK (TLS handshake failed?)';
    } else if (op !== Conn.Stop) return;

    // The session (or attempt) is over: stop its timer and client, then tell the app and wait.
    if (timer) clock.cancel(timer);
    timer = 0;
    const old = client;
    client = undefined;
    phase = running ? 1 : 0;
    if (old) old(Mq.End); // its close comes back here with phase < 2 and is ignored
    if (op === Conn.Stop) return;
    hook(Link.Down, why, /^CONNACK [245]/.test(why));
    if (!running) return;
    const wait = backoffDelay(attempt, Math.random(), base, cap);
    attempt++;
    log('mqtt: ' + why + ', retry in ' + Math.round(wait / 100) / 10 + ' s');
    timer = clock.after(wait, k);
  }

  return k;
};
