// The button's behaviour: a gesture becomes an event in the flash outbox, the outbox drains
// over MQTT QoS 1 one event at a time (order kept, removed only on PUBACK), the LED shows state.
// It does not touch hardware: pins, Wi-Fi, Storage and sockets come in through ports.
import type { Clock, Connect, Log, Store } from '../ports';
import type { Config } from './config';
import type { MqttClient, MqttOptions } from './mqtt/client';
import type { ClickType } from './gestures';
import { createGestures } from './gestures';
import { createLed } from './led-patterns';
import { createOutbox } from './outbox';
import { createConnection } from './connection';

export interface AppPorts {
  clock: Clock;
  store: Store;
  connect: Connect;
  log: Log;
  writeLed: (lit: boolean) => void;
  /** Free JsVars, for the health line. */
  freeMemory: () => number;
  /** Adds credentials that change per connect (gateway mode); identity otherwise. */
  credentials?: (opts: MqttOptions) => MqttOptions;
  /** Adds an integrity tag to an event payload (gateway mode). */
  tag?: (topic: string, payload: string) => string;
}

export interface App {
  /** Button edge from the pin watch: pressed is true when the button went down. */
  edge(pressed: boolean, atMs: number): void;
  wifiUp(): void;
  wifiDown(reason: string): void;
  /** A condition that keeps the device from working: shown on the LED and repeated in the health line. */
  fault(cause: string): void;
}

export function startApp(cfg: Config, fw: string, ports: AppPorts): App {
  const clock = ports.clock;
  const log = ports.log;
  const led = createLed(ports.writeLed, clock);
  const outbox = createOutbox(ports.store, clock, { max: cfg.outbox.max, ttlMs: cfg.outbox.ttlH * 3600000, file: 'outbox', fileBytes: 4096 }, log);
  const base = cfg.mqtt.topicPrefix + '/' + cfg.thing + '/';
  const eventTopic = base + 'events/button';
  const statusTopic = base + 'status';
  let client: MqttClient | undefined;
  let inflight = 0; // packet id of the event awaiting PUBACK, 0 when none
  let inflightSeq = -1;
  let wifi = 'down';
  let cause = ''; // why the device cannot work right now, '' when fine

  function setCause(c: string) {
    cause = c;
    if (c) {
      log('error: ' + c);
      led.show('error');
    }
  }

  // Send the oldest pending event if nothing is in flight. One at a time keeps order trivially
  // and the RAM cost of in-flight tracking to two numbers.
  function pump() {
    if (!client || inflight) return;
    const e = outbox.peek();
    if (!e) return;
    inflightSeq = e.seq;
    inflight = client.publish(eventTopic, e.payload, 1, false);
  }

  function click(type: ClickType) {
    const seq = outbox.nextSeq();
    let payload = JSON.stringify({
      thing: cfg.thing,
      seq: seq,
      clickType: type,
      ts: clock.wall(),
      uptime: Math.floor(clock.now() / 1000),
      fw: fw,
    });
    if (ports.tag) payload = ports.tag(eventTopic, payload);
    if (outbox.add(payload, clock.wall()) < 0) {
      setCause('cannot store press ' + seq + ' in flash (Storage full?)');
      return;
    }
    log('press ' + type + ' seq ' + seq + ' queued (' + outbox.depth() + ' pending)');
    led.flash('queued');
    pump();
  }

  const conn = createConnection(
    { kind: cfg.mqtt.transport, host: cfg.mqtt.host, port: cfg.mqtt.port, key: cfg.tls.key, cert: cfg.tls.cert, ca: cfg.tls.ca },
    cfg.backoff,
    clock,
    ports.connect,
    log,
    {
      up: function (c) {
        client = c;
        inflight = 0;
        if (cause.startsWith('mqtt')) cause = '';
        log('mqtt: connected to ' + cfg.mqtt.host + ':' + cfg.mqtt.port + ' as ' + (cfg.mqtt.clientId || cfg.thing));
        // [AWS] availability: retained "online" here, the Will says "offline".
        c.publish(statusTopic, 'online', 1, true);
        if (!cause) led.show('online');
        pump();
      },
      down: function (reason, fatal) {
        client = undefined;
        inflight = 0;
        if (fatal) setCause('mqtt refused: ' + reason + ' (check thing name, certificate and policy)');
        else if (!cause) led.show(wifi === 'up' ? 'mqtt' : 'wifi');
      },
      message: function (topic, payload) {
        log('mqtt: message on ' + topic + ' (' + payload.length + ' bytes)');
      },
      puback: function (id) {
        if (id !== inflight) return; // the retained status publish, or a duplicate
        inflight = 0;
        outbox.ack(inflightSeq);
        log('press seq ' + inflightSeq + ' delivered');
        led.flash('delivered');
        pump();
      },
      session: function () {
        const o: MqttOptions = {
          clientId: cfg.mqtt.clientId || cfg.thing,
          keepalive: cfg.mqtt.keepaliveS,
          clean: true,
          username: cfg.mqtt.username,
          password: cfg.mqtt.password,
          will: { topic: statusTopic, payload: 'offline', qos: 1, retain: true },
          maxPacket: 1024,
        };
        return ports.credentials ? ports.credentials(o) : o;
      },
    },
  );

  const edge = createGestures(cfg.button, clock, click);

  if (cfg.healthS > 0) {
    const health = function () {
      log(
        'health up=' + Math.floor(clock.now() / 1000) + 's wifi=' + wifi + ' mqtt=' + (client ? 'up' : 'down') +
          ' free=' + ports.freeMemory() + ' outbox=' + outbox.depth() + ' dropped=' + outbox.dropped() +
          (cause ? ' error="' + cause + '"' : ''),
      );
      clock.after(cfg.healthS * 1000, health);
    };
    clock.after(cfg.healthS * 1000, health);
  }

  led.show('wifi');
  if (outbox.depth()) log('outbox: ' + outbox.depth() + ' press(es) from before the restart, next seq ' + outbox.nextSeq());

  return {
    edge: edge,
    wifiUp: function () {
      wifi = 'up';
      if (cause.startsWith('wifi')) cause = '';
      if (!cause) led.show('mqtt');
      conn.start();
    },
    wifiDown: function (reason) {
      wifi = 'down';
      conn.stop();
      client = undefined;
      inflight = 0;
      if (reason) setCause('wifi: ' + reason);
      else if (!cause) led.show('wifi');
    },
    fault: setCause,
  };
}
