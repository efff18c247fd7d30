// The button's behaviour: a gesture becomes an event in the flash outbox, the outbox drains
// over MQTT QoS 1 one event at a time (order kept, removed only on PUBACK), the LED shows state.
// It does not touch hardware: pins, Wi-Fi, Storage and sockets come in through ports.
import type { Clock, Log, OpenSocket, Store, TransportOptions } from '../ports';
import type { Config } from './config';
import type { ClickType } from './gestures';
import { Mq, Packet, type MqttClient, type MqttOptions } from './mqtt/client';
import { createLed } from './led-patterns';
import { createOutbox, Ob } from './outbox';
import { createConnection, type ConnectionHooks } from './connection';
import { AppEv, Conn, Door, Link } from './dispatch';
import { Status, Topic, type ButtonEvent } from './wire-contract';
import { otaReceiver, type OtaReceiver } from '../ota/hook';

export { AppEv, Door } from './dispatch';

/** Adds per-connect credentials to the CONNECT options, or (topic, payload) an integrity tag to an event (gateway mode). */
export interface GatewayAuth {
  (opts: MqttOptions): MqttOptions;
  (topic: string, payload: string): string;
}

export interface AppPorts {
  clock: Clock;
  store: Store;
  connect: OpenSocket;
  log: Log;
  /** Espruino's digitalWrite: the LED's pin and polarity come from the config. */
  digitalWrite: (pin: string, level: boolean) => void;
  /** process.memory itself: free JsVars, for the health line. */
  memory: () => { free: number };
  gateway?: GatewayAuth;
  /**
   * Shuts the soft AP and sets the LAN console (telnet): Door.Open (maintenance mode) or Door.Shut.
   * Called on every Wi-Fi (re)connect and when maintenance mode opens or closes. On the device it
   * is the Wi-Fi glue's own function, handed over later with AppEv.Doors (it needs the app first).
   */
  doors?: (door: Door) => void;
}

/**
 * The app is one function (each function object costs device RAM): the gestures' emit (a click),
 * the connection's hooks, the glue's events, and the health timer (no argument).
 */
export interface App extends ConnectionHooks {
  (ev: ClickType): void;
  (ev: AppEv.WifiUp): void;
  (ev: AppEv.WifiDown | AppEv.Fault, why: string): void;
  (ev: AppEv.MaintEnd): void;
  (ev: AppEv.Doors, doors: (door: Door) => void): void;
}

/**
 * With `once` (the device's boot) it frees its own function object and those of the modules it makes.
 * `once` is 1, not true, in every factory: a parameter stays in the closure's scope, and a small
 * number costs one JsVar where a boolean costs two.
 */
export let startApp = function (cfg: Config, fw: string, ports: AppPorts, once?: 1): App {
  if (once) startApp = 0 as never; // a top-level function would otherwise stay in RAM for good
  // Only what is needed after boot is kept: Espruino closures keep their whole scope, so the
  // config and ports objects are dropped once read.
  const clock = ports.clock;
  const store = ports.store; // the updater reads its boot log and loads its receiver from it
  const log = ports.log;
  const memory = ports.memory;
  const gateway = ports.gateway;
  let doors = ports.doors;
  // Seconds, not milliseconds: kept in the scope, an integer up to 1023 takes 1 JsVar, a larger one
  // (600000 ms) 2 (measured on 2v29).
  const maintS = cfg.maintenanceS; // 0: a 10 s hold opens nothing
  // The topic prefix is built per call from these two: kept whole it was a 25-character string (5
  // JsVars); the thing's string is shared with the client id and the gateway's credentials.
  const topicPrefix = cfg.mqtt.topicPrefix;
  const thing = cfg.thing;
  const clientId = cfg.mqtt.clientId;
  const username = cfg.mqtt.username;
  const password = cfg.mqtt.password;
  const keepaliveS = cfg.mqtt.keepaliveS;
  const healthS = cfg.healthS;
  let client: MqttClient | undefined;
  let inflight = 0; // packet id of the event awaiting PUBACK, 0 when none
  let inflightSeq = -1;
  let wifi = 0; // 1 while Wi-Fi is up
  let cause = ''; // why the device cannot work right now, '' when fine
  // Its kind: the event that raised it. Link.Down's ends at Link.Up, AppEv.WifiDown's at AppEv.WifiUp;
  // the others (AppEv.Fault, a press that cannot be stored) stay.
  let causeBy: unknown;
  let maintTimer = 0; // the maintenance window's timer while the LAN console is open, else 0
  let receiver: OtaReceiver | 0 = 0; // the update receiver while it is loaded

  // Declared before the modules that call it: Espruino does not hoist functions.
  function app(ev?: any, arg?: any, arg2?: any): any {
    const prefix = topicPrefix + '/' + thing + '/'; // thingRoot() of the wire contract
    if (ev === Link.Session) {
      const opts: MqttOptions = {
        clientId: clientId,
        keepalive: keepaliveS,
        clean: true,
        username: username,
        password: password,
        // [AWS] availability: retained "online" once up, the Will says "offline".
        will: { topic: prefix + Topic.Status, payload: Status.Offline, qos: 1, retain: true },
        maxPacket: 1024,
      };
      return gateway ? gateway(opts) : opts;
    }
    // Updates (firmware/ota): a message on ota/in, and the events that prove a new firmware on trial.
    // The receiver is loaded from flash only while it has something to do.
    if (ev === Packet.Publish && arg.topic !== prefix + Topic.OtaIn) return;
    if (ev === Packet.Publish || ev === Packet.Puback || ev === Link.Up || ev === Link.Down || ev === AppEv.WifiUp) {
      if (!receiver) receiver = otaReceiver(ev, store);
      try {
        if (receiver && receiver(ev, ev === Link.Up ? arg : client, fw, arg, prefix)) receiver = 0;
      } catch (e) {
        log('ota: ' + e);
        receiver = 0;
      }
      if (ev === Packet.Publish) return;
    }
    const up = Math.floor(clock.now() / 1000); // seconds since boot
    if (ev === undefined) {
      log(
        'health up=' + up + 's wifi=' + (wifi ? 'up' : 'down') + ' mqtt=' + (client ? 'up' : 'down') +
          ' free=' + memory().free + ' outbox=' + ob(Ob.Depth) + ' dropped=' + ob(Ob.Dropped) + (cause ? ' error="' + cause + '"' : ''),
      );
      clock.after(healthS * 1000, app);
      return;
    }
    let fault: string | undefined; // a fault this event raises
    if (ev === Link.Up) {
      client = arg;
      inflight = 0;
      if (causeBy === Link.Down) cause = ''; // the broker's refusal is over
      log('mqtt: connected to ' + arg2 + ' as ' + clientId);
      arg(Mq.Publish, prefix + Topic.Status, Status.Online, 1, true);
      arg(Mq.Subscribe, prefix + Topic.OtaIn, 1);
    } else if (ev === Link.Down || ev === AppEv.WifiDown) {
      // The session is gone either way (Conn.Stop ends it without a Link.Down).
      client = undefined;
      inflight = 0;
      if (ev === AppEv.WifiDown) {
        wifi = 0;
        conn(Conn.Stop);
        if (arg) fault = 'wifi: ' + arg;
      } else if (arg2) fault = 'mqtt refused: ' + arg + ' (thing name, certificate or policy?)';
    } else if (ev === Packet.Puback) {
      if (arg.id !== inflight) return; // the retained status publish, or a duplicate
      inflight = 0;
      ob(Ob.Ack, inflightSeq);
      log('press seq ' + inflightSeq + ' delivered');
      led('delivered', true);
    } else if (ev === AppEv.WifiUp) {
      wifi = 1;
      if (causeBy === AppEv.WifiDown) cause = ''; // the Wi-Fi fault is over
      // Every (re)connect: the SDK may have brought the soft AP back (it only obeys stopAP once
      // the station runs, Espruino #883), and the console stays closed unless maintenance is on.
      if (doors) doors(maintTimer ? Door.Open : Door.Shut);
      conn(Conn.Start);
    } else if (ev === AppEv.Doors) return void (doors = arg);
    else if (ev === AppEv.Fault) fault = arg;
    else if (typeof ev === 'string') {
      // A click (ClickType). Only here: an event number this function does not know is never stored as a press.
      if (maintTimer && ev !== 'MAINTENANCE') {
        // Any click while the window is open closes it (the owner is done; the click is not an
        // event), as does the window's timer (below).
        clock.cancel(maintTimer);
        ev = AppEv.MaintEnd;
      } else {
        if (ev === 'MAINTENANCE') {
          // Physical presence (a 10 s hold) opens the LAN console for the window; a new hold starts
          // it again. The event below tells the cloud, now or once online.
          if (!maintS) return log('maintenance: off (maintenanceS is 0)');
          if (maintTimer) clock.cancel(maintTimer);
          // A closure only while the window is open: maintenance costs no RAM when not in use.
          maintTimer = clock.after(maintS * 1000, function () {
            app(AppEv.MaintEnd);
          });
          if (doors) doors(Door.Open);
          log('maintenance: LAN console open for ' + maintS + ' s' + (wifi ? '' : ' (offline: reachable once Wi-Fi is up)'));
        }
        // Into flash first, then the outbox drains below.
        const seq = ob(Ob.Next);
        let payload = JSON.stringify({ thing: thing, seq: seq, clickType: ev as ClickType, ts: clock.wall(), uptime: up, fw: fw } satisfies ButtonEvent);
        if (gateway) payload = gateway(prefix + Topic.Event, payload);
        if (ob(Ob.Add, payload, clock.wall()) < 0) fault = 'cannot store press ' + seq + ' in flash (Storage full?)';
        else {
          log('press ' + ev + ' seq ' + seq + ' queued (' + ob(Ob.Depth) + ' pending)');
          led('queued', true);
        }
      }
    }
    if (ev === AppEv.MaintEnd) {
      maintTimer = 0;
      if (doors) doors(Door.Shut);
      log('maintenance: LAN console closed');
    }
    if (fault) {
      cause = fault;
      causeBy = ev;
      log('error: ' + fault);
    }
    // The LED's base state follows from the state (showing the same one again keeps its rhythm).
    led(maintTimer ? 'maint' : cause ? 'error' : client ? 'online' : wifi ? 'mqtt' : 'wifi');
    // Send the oldest pending event if nothing is in flight. One at a time keeps order trivially
    // and the RAM cost of in-flight tracking to two numbers.
    if (client && !inflight) {
      const next = ob(Ob.Peek);
      if (next) {
        inflightSeq = next.seq;
        inflight = client(Mq.Publish, prefix + Topic.Event, next.payload, 1, false);
      }
    }
  }

  const led = createLed(ports.digitalWrite, cfg.pins.led, cfg.pins.ledActiveLow, clock, once);
  const ob = createOutbox(ports.store, clock, { max: cfg.outbox.max, ttlMs: cfg.outbox.ttlH * 3600000, file: 'outbox', fileBytes: 4096 }, log, once);
  // The connection keeps these for every attempt: the TLS file names only where they are used.
  // Made in a function that returns: a local would be one more name in the app's scope for good.
  const conn = createConnection(
    (function (m: Config['mqtt'], t: Config['tls']): TransportOptions {
      // Plain TCP is {host, port} alone: the socket keeps this very object (espruino/transport.ts).
      const o: TransportOptions = { host: m.host, port: m.port };
      if (m.transport === 'tls') {
        o.kind = 'tls';
        o.key = t.key;
        o.cert = t.cert;
        o.ca = t.ca;
      }
      return o;
    })(cfg.mqtt, cfg.tls),
    cfg.backoff,
    clock,
    ports.connect,
    log,
    app,
    once,
  );
  cfg = ports = 0 as never;
  if (healthS > 0) clock.after(healthS * 1000, app);
  led('wifi');
  if (ob(Ob.Depth)) log('outbox: ' + ob(Ob.Depth) + ' press(es) from before the restart');
  return app as App;
};
