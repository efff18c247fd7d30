// Boot: read config from flash, wire the Espruino glue to the app core, join Wi-Fi.
// Nothing here may throw past boot: a fault is logged, shown on the LED, and the device stays up.
// RAM: boot runs once and makes no closures, so what it reads is garbage when it returns, and
// every factory it calls is told `once`, so their function objects are freed too (see MEMORY.md).
import { version } from '../package.json';
import { loadConfig } from './core/config';
import { AppEv, startApp } from './core/app';
import { createGestures } from './core/gestures';
import { clock } from './espruino/clock';
import { connect } from './espruino/transport';
import { startWifi } from './espruino/wifi';
import { gatewayCredentials } from './espruino/gateway-credentials';

(function () {
  const S = require('Storage');
  const log = console.log;
  // provision writes config.bak (verified) before it rewrites config.json, and Storage erases a
  // file before rewriting it: a power cut in between leaves config.json missing or torn while
  // config.bak names the verified identity. So fall back to it, and say so.
  let raw: unknown;
  let name = 'config.json';
  for (;;) {
    const text = S.read(name);
    try {
      raw = text === undefined ? text : JSON.parse(text);
    } catch (e) {
      raw = 'unparseable';
    }
    if ((raw !== undefined && raw !== 'unparseable') || name === 'config.bak' || S.read('config.bak') === undefined) break;
    log('config: ' + name + (raw === undefined ? ' missing' : ' unreadable') + ', using config.bak');
    name = 'config.bak';
  }
  const r = loadConfig(raw, log, undefined, 1);
  const cfg = r.cfg;
  const pins = cfg.pins;
  // Direct TLS needs a build with `tls` (stock ESP8266 builds have none); only then is it loaded.
  // Every build that can hold this firmware has `crypto` (SHA1), which gateway mode needs.
  let tls = cfg.mqtt.transport !== 'tls';
  if (!tls)
    try {
      tls = !!require('tls');
    } catch (e) {}
  log('espruino-aws-button ' + version + ' thing ' + cfg.thing);
  const app = startApp(
    cfg,
    version,
    {
      clock: clock,
      store: S,
      connect: connect,
      log: log,
      digitalWrite: digitalWrite as unknown as (pin: string, level: boolean) => void,
      memory: process.memory,
      gateway: gatewayCredentials(cfg.thing, !cfg.gateway.secret ? 0 : name === 'config.bak' ? 2 : 1),
    },
    1,
  );
  // Pin names stay strings ("D0"): Espruino accepts them wherever a Pin is expected. The gestures
  // function is the watch callback itself: no closure here, so nothing keeps this scope alive.
  const db = cfg.button.debounceMs;
  // setWatch debounces on Espruino's timers, which SNTP's setTime leaves alone, so the edges it
  // reports are stable for db ms. The gesture code must not time them again by e.time: SNTP steps
  // that clock (back by under a second every 30 s), and a release then reads as a few ms after its
  // press, is dropped as bounce, and the click is stuck (test/faults/clock-step-press.test.ts).
  cfg.button.debounceMs = 0;
  pinMode(pins.button as unknown as Pin, pins.buttonActiveLow ? 'input_pullup' : 'input_pulldown', false);
  setWatch(createGestures(cfg.button, pins.buttonActiveLow, clock, app, 1) as (e: unknown) => void, pins.button as unknown as Pin, {
    repeat: true,
    edge: 'both',
    debounce: db > 0 ? db : undefined,
  });
  // Each line says what to do; a bad config field has had its own line already.
  const fault = !r.ok
    ? 'config.json has errors (see above)'
    : !tls
      ? 'no tls in this Espruino build (stock ESP8266): use the LAN gateway, mqtt.transport tcp'
      : '';
  // The Wi-Fi glue shuts the doors in every case, and is then the app's doors port.
  app(AppEv.Doors, startWifi(fault ? 0 : cfg.wifi, app, name === 'config.bak' ? 2 : 1));
  if (fault) app(AppEv.Fault, fault);
})();
