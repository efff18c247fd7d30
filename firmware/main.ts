// Boot: read config from flash, wire the Espruino glue to the app core, join Wi-Fi.
// Nothing here may throw past boot: a fault is logged, shown on the LED, and the device stays up.
import { version } from '../package.json';
import { loadConfig } from './core/config';
import { startApp } from './core/app';
import { clock } from './espruino/clock';
import { connect, hasModule } from './espruino/transport';
import { ledWriter, watchButton } from './espruino/pins';
import { startWifi } from './espruino/wifi';
import { gatewayCredentials } from './espruino/gateway-credentials';

function log(line: string) {
  console.log(line);
}

function boot() {
  const S = require('Storage');
  let raw: unknown;
  try {
    raw = S.readJSON('config.json', true);
    // readJSON(…, true) gives undefined for both "missing" and "unparseable": tell them apart.
    if (raw === undefined && S.read('config.json') !== undefined) raw = 'unparseable';
  } catch (e) {
    raw = 'unparseable';
  }
  const r = loadConfig(raw, log);
  const cfg = r.cfg;
  log('espruino-aws-button ' + version + ' thing ' + cfg.thing);
  const gw = cfg.gateway.secret ? gatewayCredentials(cfg.thing, cfg.gateway.secret, log) : undefined;
  const app = startApp(cfg, version, {
    clock: clock,
    store: S,
    connect: connect,
    log: log,
    writeLed: ledWriter(cfg.pins.led, cfg.pins.ledActiveLow),
    freeMemory: function () {
      return process.memory().free;
    },
    credentials: gw && gw.credentials,
    tag: gw && gw.tag,
  });
  watchButton(cfg.pins.button, cfg.pins.buttonActiveLow, cfg.button.debounceMs, app.edge);
  if (!r.ok) return app.fault('config.json has errors (see above); fix it with npm run provision');
  if (cfg.mqtt.transport === 'tls' && !hasModule('tls'))
    return app.fault('mqtt.transport is tls but this Espruino build has no tls module (stock ESP8266): use the LAN gateway (transport tcp)');
  startWifi(cfg.wifi, cfg.thing, log, app.wifiUp, app.wifiDown);
}

boot();
