// Keeps one MQTT session to the broker alive: opens the transport, starts the client,
// retries with exponential backoff and full jitter. It does not know about presses or LEDs;
// the app reacts to Up/Down. (Moddable's split: a plain client, reconnection on top.)
import type { Clock, Log, OpenSocket, TransportOptions } from '../ports';
import { createMqttClient, Mq, Packet, type MqttClient, type MqttOptions, type MqttPacket } from './mqtt/client';
import { backoffDelay } from './backoff';
import { Conn, Link } from './dispatch';

export { Conn, Link } from './dispatch';

/** The app's side: one function (each function object costs device RAM). */
export interface ConnectionHooks {
  (ev: Link.Up, client: MqttClient, where: string): void;
  (ev: Link.Down, reason: string, fatal: boolean): void;
  (ev: Link.Session): MqttOptions;
  /** An incoming PUBLISH, a PUBACK: the client's packets, passed on as they came. */
  (ev: Packet.Publish | Packet.Puback, packet: MqttPacket): void;
}

export type Connection = (op: Conn) => void;

/**
 * Where the connection is: every phase but Idle means started (one variable, where a separate
 * `running` flag would cost a JsVar). Inlined as numbers by the build.
 */
const enum Phase {
  /** Not started, or stopped. */
  Idle,
  /** Waiting to retry: the timer starts the next attempt. */
  Waiting,
  /** An attempt under way (connect + CONNACK): the timer is its time limit. */
  Attempt,
  Up,
}

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
  let attempt = 0;
  let timer = 0; // 0 when none (timer ids are never 0)
  let client: MqttClient | undefined;
  let phase = Phase.Idle;

  // One function is the handle (Conn), the timer (no op: the retry wait or the attempt's time limit,
  // by phase) and the MQTT client's event function (Packet: Closed, Connack; Publish and Puback go
  // to the app).
  // The client is made as soon as the socket is: writes before it opens are queued (Espruino and the
  // Node adapters alike), and every failure, before open or after, reaches it as a socket event, so
  // no per-attempt callbacks are kept (each function object costs RAM).
  function connection(op?: Conn | Packet, arg?: any): void {
    let why!: string; // why the session (or attempt) ended: set on every path that reaches the end
    // Made per call: kept in the scope, "host:port" would cost a few JsVars for the device's life.
    const where = transport.host + ':' + transport.port;
    if (op === Conn.Start) {
      if (phase !== Phase.Idle) return;
      attempt = 0;
      phase = Phase.Waiting;
      op = undefined; // open now
    } else if (op === Conn.Stop) {
      phase = Phase.Idle;
    } else if (op === Packet.Publish || op === Packet.Puback) return hook(op, arg);
    else if (op === Packet.Connack) {
      phase = Phase.Up;
      if (timer) clock.cancel(timer);
      timer = 0;
      attempt = 0; // a good connection resets the backoff
      return hook(Link.Up, client!, where);
    }
    if (op === undefined) {
      timer = 0;
      if (phase === Phase.Waiting) {
        // An attempt: one time limit for the connect and the CONNACK together.
        phase = Phase.Attempt;
        timer = clock.after(20000, connection);
        try {
          const started = createMqttClient(connect(transport), clock, hook(Link.Session), connection);
          if (phase === Phase.Attempt) client = started; // else it closed while starting and has been dealt with
          return;
        } catch (e) {
          // Some builds throw at once on a closed port instead of raising `error` (docs/espruino.md).
          why = 'cannot reach ' + where + ' (' + ((e && (e as { message?: string }).message) || e) + ')';
        }
      } else if (phase !== Phase.Attempt) return;
      else why = 'no answer from ' + where;
    } else if (op === Packet.Closed) {
      if (phase < Phase.Attempt) return; // the close of a client we ended ourselves
      why = arg;
      // Espruino reports a failed TLS handshake only as a close (no error event).
      if (phase === Phase.Attempt && transport.kind === 'tls' && why === 'socket closed') why += ' before CONNACK (TLS handshake failed?)';
    } else if (op !== Conn.Stop) return;

    // The session (or attempt) is over: stop its timer and client, then tell the app and wait.
    if (timer) clock.cancel(timer);
    timer = 0;
    const old = client;
    client = undefined;
    if (op !== Conn.Stop) phase = Phase.Waiting; // (Stop has made it Idle)
    if (old) old(Mq.End); // its close comes back here before Phase.Attempt and is ignored
    if (op === Conn.Stop) return;
    // CONNACK 2, 4 or 5 is fatal (no regular expression: the first one run keeps RegExp in RAM, 8 JsVars).
    const code = why.startsWith('CONNACK ') ? why.charAt(8) : '';
    hook(Link.Down, why, code === '2' || code === '4' || code === '5');
    if (!phase) return; // Phase.Idle: the app stopped it meanwhile
    const wait = backoffDelay(attempt, Math.random(), base, cap);
    attempt++;
    log('mqtt: ' + why + ', retry in ' + Math.round(wait / 100) / 10 + ' s');
    timer = clock.after(wait, connection);
  }

  return connection;
};
