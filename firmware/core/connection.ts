// Keeps one MQTT session to the broker alive: opens the transport, starts the client,
// retries with exponential backoff and full jitter. It does not know about presses or LEDs;
// the app reacts to `up`/`down`. (Moddable's split: a plain client, reconnection on top.)
import type { Clock, Connect, Log, TransportOptions } from '../ports';
import type { MqttClient, MqttEvents, MqttOptions } from './mqtt/client';
import { createMqttClient } from './mqtt/client';
import { backoffDelay } from './backoff';

export interface ConnectionHooks {
  /** The session is up (CONNACK accepted). */
  up(client: MqttClient): void;
  /** The session ended; `fatal` means retrying will not help until config changes (e.g. not authorized). */
  down(reason: string, fatal: boolean): void;
  /** Inbound traffic the app cares about. */
  message(topic: string, payload: string): void;
  puback(id: number): void;
  /** Called before every attempt, so credentials that must change per connect (gateway counter) can. */
  session(): MqttOptions;
}

export interface Connection {
  /** Begin connecting (after Wi-Fi is up). Idempotent. */
  start(): void;
  /** Drop the session and stop retrying (Wi-Fi went down). */
  stop(): void;
}

/** How long a TCP/TLS connect plus CONNACK may take before we give up on the attempt. */
const ATTEMPT_MS = 20000;

export function createConnection(
  transport: TransportOptions,
  backoff: { baseMs: number; capMs: number },
  clock: Clock,
  connect: Connect,
  log: Log,
  hooks: ConnectionHooks,
): Connection {
  // Long-lived state is a handful of scalars; the client object exists only while connected.
  let running = false;
  let attempt = 0;
  let timer: number | undefined;
  let client: MqttClient | undefined;
  let socketGen = 0;

  function retry(reason: string, fatal: boolean) {
    clock.cancel(timer);
    timer = undefined;
    client = undefined;
    hooks.down(reason, fatal);
    if (!running) return;
    const wait = Math.floor(backoffDelay(attempt, Math.random(), backoff.baseMs, backoff.capMs));
    attempt++;
    log('mqtt: ' + reason + ', retry in ' + Math.round(wait / 100) / 10 + ' s');
    timer = clock.after(wait, open);
  }

  let live = false; // CONNACK accepted in the current session

  function connected() {
    live = true;
    clock.cancel(timer);
    timer = undefined;
    attempt = 0; // a good connection resets the backoff
    if (client) hooks.up(client);
  }
  function ignore() {}

  function open() {
    timer = undefined;
    if (!running) return;
    const my = ++socketGen;
    live = false;
    timer = clock.after(ATTEMPT_MS, function () {
      timer = undefined;
      if (my !== socketGen) return;
      socketGen++;
      if (client) client.end();
      retry('no answer from ' + transport.host + ':' + transport.port, false);
    });
    const sock = connect(
      transport,
      function () {
        if (my !== socketGen || !sock) return;
        // Per session only `closed` needs to know which attempt it belongs to: a late close
        // from an abandoned client must not start a second retry loop.
        const events: MqttEvents = {
          connected: connected,
          message: hooks.message,
          puback: hooks.puback,
          suback: ignore,
          closed: function (reason) {
            if (my !== socketGen) return;
            socketGen++;
            // Espruino reports a failed TLS handshake only as a close (no error event).
            if (!live && transport.kind === 'tls' && reason === 'socket closed') reason += ' before CONNACK (TLS handshake failed? check certificate, key and CA)';
            retry(reason, reason.startsWith('CONNACK 2') || reason.startsWith('CONNACK 4') || reason.startsWith('CONNACK 5'));
          },
        };
        client = createMqttClient(sock, clock, hooks.session(), events);
      },
      function (msg) {
        if (my !== socketGen) return;
        socketGen++;
        retry('cannot reach ' + transport.host + ':' + transport.port + ' (' + msg + ')', false);
      },
    );
  }

  return {
    start: function () {
      if (running) return;
      running = true;
      attempt = 0;
      open();
    },
    stop: function () {
      running = false;
      clock.cancel(timer);
      timer = undefined;
      socketGen++;
      if (client) client.end();
      client = undefined;
    },
  };
}
