// Joins Wi-Fi with our own timeout and retry, and sets the wall clock by SNTP once online.
// Espruino's connect callback reports "bad_password", "no_ap_found" or "connect_failed" once per
// failed attempt and then the SDK retries silently, so only a bad password is treated as a fault.
// Credentials: the configured SSID/password, else those saved on the device by Wifi.save().
// It leaves the DHCP hostname alone: Wifi.setHostname reconnects when a lease exists.
// It also keeps the doors a stock ESP8266 Espruino opens shut: the soft AP (open, ESP_xxxxxx, kept
// by the SDK across reboots) and the telnet console on port 23 (the whole REPL, no password), at
// boot and whenever the app says (every reconnect; maintenance mode opens the console alone). It
// cannot close the firmware-update server on port 88 (ota.c, C code; only a NO_FOTA build lacks
// it): see docs/security.md. This is its one function, so the doors cost no function object of RAM.
import { AppEv, Door, type App } from '../core/app';

/**
 * Called once, at boot: it frees its own function object (a top-level function would stay in RAM).
 * It shuts the doors, then joins Wi-Fi, unless `cfg` is 0 (a config fault keeps the device offline).
 * Returns its function, which is also the app's doors port (Door.Open opens the console, Door.Shut closes it).
 * `file` is the config file boot read (1 config.json, 2 config.bak): the SSID and password are read
 * from it per attempt, not kept (a name and a string each, for good; 5 JsVars measured on 2v29).
 * It logs through console.log itself: a log parameter would be one more name kept in its scope.
 */
export let startWifi = function (cfg: { timeoutS: number } | 0, app: App, file: 1 | 2) {
  startWifi = 0 as never;
  // With cfg 0 this reads undefined: no separate flag, which would stay in the closure.
  const limitS = (cfg as any).timeoutS; // seconds: a kept integer up to 1023 takes 1 JsVar, 20000 (ms) 2
  cfg = 0 as never; // Espruino closures keep their whole scope: not the object
  const Wifi = require('Wifi');
  let timer = 0; // 0 when none (timer ids are never 0)
  let online = 0;
  let late = 0; // 1 while the timer is an attempt's time limit, 0 when it only starts the next one

  // One function (each function object costs RAM) is the timer (no argument), Wifi.connect's
  // callback (null, or why it failed), the handler of both events (`connected` brings {ip, mask,
  // gw}, `disconnected` {ssid, mac, reason}) and the doors (Door).
  function wifi(e?: any): void {
    // Made per call: the Wi-Fi section of the config boot read ({} without one).
    const saved = (): { ssid?: string; password?: string } => JSON.parse(require('Storage').read(file > 1 ? 'config.bak' : 'config.json')!).wifi || {};
    if (e === Door.Shut || e === Door.Open) {
      // Each door on its own: Linux builds have no Wifi.stopAP, ESP32 builds no TelnetServer.
      // Espruino #883: on a fresh flash stopAP only takes effect once the station has started, so
      // the one at boot may do nothing; the one at the connect does.
      try {
        Wifi.stopAP();
      } catch (x) {}
      try {
        require('TelnetServer').setOptions({ mode: e ? 'on' : 'off' }); // Door.Shut is 0
        // Measured on 2v29: the server stops at the next idle and drops a client that holds the
        // console without handing the console back, leaving the serial console dead. So hand it
        // back now, before that idle (Serial1 is the ESP8266's serial console). After setOptions,
        // so a build without Serial1 still closes the server.
        if (!e && E.getConsole() === 'Telnet') E.setConsole('Serial1');
      } catch (x) {}
      return;
    }
    if (e === null) return; // connected: the `connected` event follows, with an IP
    if (typeof e === 'string') {
      if (e !== 'bad_password') return console.log('wifi: ' + e + ', still trying');
    } else if (e && !e.ip && !online) return; // an attempt failing: its time limit stands
    // Whatever the timer was waiting for is superseded now.
    // clearTimeout(undefined) throws on Espruino 2v29, and clearTimeout() clears every timer.
    if (timer) clearTimeout(timer);
    timer = 0;
    if (e === 'bad_password') {
      app(AppEv.WifiDown, 'wrong password for "' + saved().ssid + '" (fix with npm run provision -- --wifi-password)');
      late = 0;
      timer = setTimeout(wifi, 30000);
    } else if (e && e.ip) {
      if (online) return;
      online = 1;
      console.log('wifi: connected, ip ' + e.ip);
      Wifi.setSNTP('pool.ntp.org', 0); // ESP8266 and ESP32 have it; its jump of the system clock is folded out by clock.ts
      app(AppEv.WifiUp);
    } else {
      if (e) {
        online = 0;
        console.log('wifi: disconnected');
        app(AppEv.WifiDown, '');
      } else if (late) console.log('wifi: no connection in ' + limitS + ' s, retrying');
      // An attempt, with its time limit. Wifi.connect drops a connection still being tried itself.
      late = 1;
      timer = setTimeout(wifi, limitS * 1000);
      const w = saved();
      if (w.ssid) {
        console.log('wifi: connecting to "' + w.ssid + '"');
        Wifi.connect(w.ssid, { password: w.password }, wifi);
      } else if (require('Storage').read('.wificfg')) {
        console.log('wifi: joining the saved network');
        try {
          Wifi.restore();
        } catch (x) {}
      } else {
        clearTimeout(timer);
        timer = 0;
        app(AppEv.WifiDown, 'no Wi-Fi SSID configured or saved (npm run provision -- --wifi-ssid NAME)');
      }
    }
  }

  wifi(Door.Shut); // closed at every boot, so a power cut during maintenance comes back closed
  if (!limitS) return wifi;
  Wifi.on('connected', wifi);
  Wifi.on('disconnected', wifi);
  // After load() the ESP8266 keeps its Wi-Fi association: no `connected` event will come.
  // Read into `cfg` (0 by now): a new local would keep the address string in this scope for good.
  cfg = Wifi.getIP().ip as never;
  wifi(cfg && (cfg as unknown) !== '0.0.0.0' ? { ip: cfg } : undefined);
  cfg = 0;
  return wifi;
};
