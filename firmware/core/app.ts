// The button's behaviour: a gesture becomes an event in the flash outbox, the outbox drains
// over MQTT QoS 1 one event at a time (order kept, removed only on PUBACK), the LED shows state.
// It does not touch hardware: pins, Wi-Fi, Storage and sockets come in through ports.
import type { Clock, Log, OpenSocket, Store, TransportOptions } from '../ports';
import type { Config } from './config';
import type { ClickType } from './gestures';
import { Mq, type MqttClient, type MqttOptions } from './mqtt/client';
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
   * Shuts the soft AP and sets the LAN console (telnet): 1 open (maintenance mode), 0 closed.
   * Called on every Wi-Fi (re)connect and when maintenance mode opens or closes. On the device it
   * is the Wi-Fi glue's own function, handed over later with AppEv.Doors (it needs the app first).
   */
  doors?: (open: number) => void;
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
  (ev: AppEv.Doors, doors: (open: number) => void): void;
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
  const mem = ports.memory;
  const gw = ports.gateway;
  let door = ports.doors;
  const win = cfg.maintenanceS * 1000; // 0: a 10 s hold opens nothing
  // The thing is read back from the prefix per press (a thing name holds no '/'): one name fewer in scope.
  const prefix = cfg.mqtt.topicPrefix + '/' + cfg.thing + '/'; // thingRoot() of the wire contract
  const id = cfg.mqtt.clientId;
  const user = cfg.mqtt.username;
  const pass = cfg.mqtt.password;
  const ka = cfg.mqtt.keepaliveS;
  const health = cfg.healthS * 1000;
  let client: MqttClient | undefined;
  let inflight = 0; // packet id of the event awaiting PUBACK, 0 when none
  let seq = -1; // its seq
  let wifi = 0; // 1 while Wi-Fi is up
  let cause = ''; // why the device cannot work right now, '' when fine
  let mt = 0; // the maintenance window's timer while the LAN console is open, else 0
  let rx: OtaReceiver | 0 = 0; // the update receiver while it is loaded

  // Declared before the modules that call it: Espruino does not hoist functions.
  function app(ev?: any, a?: any, b?: any): any {
    if (ev === Link.Session) {
      const o: MqttOptions = {
        clientId: id,
        keepalive: ka,
        clean: true,
        username: user,
        password: pass,
        // [AWS] availability: retained "online" once up, the Will says "offline".
        will: { topic: prefix + Topic.Status, payload: Status.Offline, qos: 1, retain: true },
        maxPacket: 1024,
      };
      return gw ? gw(o) : o;
    }
    // Updates (firmware/ota): a message on ota/in, and the events that prove a new firmware on trial.
    // The receiver is loaded from flash only while it has something to do.
    if (ev === 3 && a.topic !== prefix + Topic.OtaIn) return;
    if (ev === 3 || ev === 4 || ev === Link.Up || ev === Link.Down || ev === AppEv.WifiUp) {
      if (!rx) rx = otaReceiver(ev, store);
      try {
        if (rx && rx(ev, ev === Link.Up ? a : client, fw, a, prefix)) rx = 0;
      } catch (e) {
        log('ota: ' + e);
        rx = 0;
      }
      if (ev === 3) return;
    }
    const up = Math.floor(clock.now() / 1000); // seconds since boot
    if (ev === undefined) {
      log(
        'health up=' + up + 's wifi=' + (wifi ? 'up' : 'down') + ' mqtt=' + (client ? 'up' : 'down') +
          ' free=' + mem().free + ' outbox=' + ob(Ob.Depth) + ' dropped=' + ob(Ob.Dropped) + (cause ? ' error="' + cause + '"' : ''),
      );
      clock.after(health, app);
      return;
    }
    let c = '';
    if (ev === Link.Up) {
      client = a;
      inflight = 0;
      if (cause[0] === 'm') cause = ''; // an MQTT fault ("mqtt refused: ...") is over
      log('mqtt: connected to ' + b + ' as ' + id);
      a(Mq.Publish, prefix + Topic.Status, Status.Online, 1, true);
      a(Mq.Subscribe, prefix + Topic.OtaIn, 1);
    } else if (ev === Link.Down) {
      client = undefined;
      inflight = 0;
      if (b) c = 'mqtt refused: ' + a + ' (thing name, certificate or policy?)';
    } else if (ev === 4) {
      if (a.id !== inflight) return; // the retained status publish, or a duplicate
      inflight = 0;
      ob(Ob.Ack, seq);
      log('press seq ' + seq + ' delivered');
      led('delivered', true);
    } else if (ev === AppEv.WifiUp) {
      wifi = 1;
      if (cause[0] === 'w') cause = ''; // a Wi-Fi fault ("wifi: ...") is over
      // Every (re)connect: the SDK may have brought the soft AP back (it only obeys stopAP once
      // the station runs, Espruino #883), and the console stays closed unless maintenance is on.
      if (door) door(mt ? 1 : 0);
      conn(Conn.Start);
    } else if (ev === AppEv.WifiDown) {
      wifi = 0;
      conn(Conn.Stop);
      client = undefined;
      inflight = 0;
      if (a) c = 'wifi: ' + a;
    } else if (ev === AppEv.Doors) return void (door = a);
    else if (ev === AppEv.Fault) c = a;
    else if ((mt && ev !== 'MAINTENANCE') || ev === AppEv.MaintEnd) {
      // Any click while the window is open closes it (the owner is done; the click is not an
      // event), as does the window's timer.
      if (ev !== AppEv.MaintEnd) clock.cancel(mt);
      mt = 0;
      if (door) door(0);
      log('maintenance: LAN console closed');
    } else {
      if (ev === 'MAINTENANCE') {
        // Physical presence (a 10 s hold) opens the LAN console for the window; a new hold starts
        // it again. The event below tells the cloud, now or once online.
        if (!win) return log('maintenance: off (maintenanceS is 0)');
        if (mt) clock.cancel(mt);
        // A closure only while the window is open: maintenance costs no RAM when not in use.
        mt = clock.after(win, function () {
          app(AppEv.MaintEnd);
        });
        if (door) door(1);
        log('maintenance: LAN console open for ' + win / 1000 + ' s' + (wifi ? '' : ' (offline: reachable once Wi-Fi is up)'));
      }
      // A click: into flash first, then the outbox drains below.
      const s = ob(Ob.Next);
      let payload = JSON.stringify({ thing: prefix.split('/').slice(-2)[0], seq: s, clickType: ev, ts: clock.wall(), uptime: up, fw: fw } satisfies ButtonEvent);
      if (gw) payload = gw(prefix + Topic.Event, payload);
      if (ob(Ob.Add, payload, clock.wall()) < 0) c = 'cannot store press ' + s + ' in flash (Storage full?)';
      else {
        log('press ' + ev + ' seq ' + s + ' queued (' + ob(Ob.Depth) + ' pending)');
        led('queued', true);
      }
    }
    if (c) {
      cause = c;
      log('error: ' + c);
    }
    // The LED's base state follows from the state (showing the same one again keeps its rhythm).
    led(mt ? 'maint' : cause ? 'error' : client ? 'online' : wifi ? 'mqtt' : 'wifi');
    // Send the oldest pending event if nothing is in flight. One at a time keeps order trivially
    // and the RAM cost of in-flight tracking to two numbers.
    if (client && !inflight) {
      const e = ob(Ob.Peek);
      if (e) {
        seq = e.seq;
        inflight = client(Mq.Publish, prefix + Topic.Event, e.payload, 1, false);
      }
    }
  }

  const led = createLed(ports.digitalWrite, cfg.pins.led, cfg.pins.ledActiveLow, clock, once);
  const ob = createOutbox(ports.store, clock, { max: cfg.outbox.max, ttlMs: cfg.outbox.ttlH * 3600000, file: 'outbox', fileBytes: 4096 }, log, once);
  // The connection keeps these for every attempt: the TLS file names only where they are used.
  // Made in a function that returns: a local would be one more name in the app's scope for good.
  const conn = createConnection(
    (function (m: Config['mqtt'], t: Config['tls']): TransportOptions {
      const o: TransportOptions = { kind: m.transport, host: m.host, port: m.port };
      if (o.kind === 'tls') {
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
  if (health > 0) clock.after(health, app);
  led('wifi');
  if (ob(Ob.Depth)) log('outbox: ' + ob(Ob.Depth) + ' press(es) from before the restart');
  return app as App;
};
