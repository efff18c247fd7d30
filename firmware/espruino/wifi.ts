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
import type { Log } from '../ports';
import { AppEv, type App } from '../core/app';

/**
 * Called once, at boot: it frees its own function object (a top-level function would stay in RAM).
 * It shuts the doors, then joins Wi-Fi, unless `cfg` is 0 (a config fault keeps the device offline).
 * Returns its function, which is also the app's doors port: w(1) opens the console, w(0) closes it.
 */
export let startWifi = function (cfg: { ssid?: string; password?: string; timeoutS: number } | 0, log: Log, app: App) {
  startWifi = 0 as never;
  // With cfg 0 these read undefined and NaN: no separate flag, which would stay in the closure.
  const ssid = (cfg as any).ssid as string | undefined;
  const pw = (cfg as any).password as string | undefined;
  const limit = (cfg as any).timeoutS * 1000;
  cfg = 0 as never; // Espruino closures keep their whole scope: not the object
  const W = require('Wifi');
  let timer = 0; // 0 when none (timer ids are never 0)
  let online = 0;
  let late = 0; // 1 while the timer is an attempt's time limit, 0 when it only starts the next one

  // One function (each function object costs RAM) is the timer (no argument), Wifi.connect's
  // callback (null, or why it failed), the handler of both events (`connected` brings {ip, mask,
  // gw}, `disconnected` {ssid, mac, reason}) and the doors (0 or 1).
  function w(e?: any): void {
    if (e === 0 || e === 1) {
      // Each door on its own: Linux builds have no Wifi.stopAP, ESP32 builds no TelnetServer.
      // Espruino #883: on a fresh flash stopAP only takes effect once the station has started, so
      // the one at boot may do nothing; the one at the connect does.
      try {
        W.stopAP();
      } catch (x) {}
      try {
        require('TelnetServer').setOptions({ mode: e ? 'on' : 'off' });
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
      if (e !== 'bad_password') return log('wifi: ' + e + ', still trying');
    } else if (e && !e.ip && !online) return; // an attempt failing: its time limit stands
    // Whatever the timer was waiting for is superseded now.
    // clearTimeout(undefined) throws on Espruino 2v29, and clearTimeout() clears every timer.
    if (timer) clearTimeout(timer);
    timer = 0;
    if (e === 'bad_password') {
      app(AppEv.WifiDown, 'wrong password for "' + ssid + '" (fix with npm run provision -- --wifi-password)');
      late = 0;
      timer = setTimeout(w, 30000);
    } else if (e && e.ip) {
      if (online) return;
      online = 1;
      log('wifi: connected, ip ' + e.ip);
      W.setSNTP('pool.ntp.org', 0); // ESP8266 and ESP32 have it; its jump of the system clock is folded out by clock.ts
      app(AppEv.WifiUp);
    } else {
      if (e) {
        online = 0;
        log('wifi: disconnected');
        app(AppEv.WifiDown, '');
      } else if (late) log('wifi: no connection in ' + limit / 1000 + ' s, retrying');
      // An attempt, with its time limit. Wifi.connect drops a connection still being tried itself.
      late = 1;
      timer = setTimeout(w, limit);
      if (ssid) {
        log('wifi: connecting to "' + ssid + '"');
        W.connect(ssid, { password: pw }, w);
      } else if (require('Storage').read('.wificfg')) {
        log('wifi: joining the saved network');
        try {
          W.restore();
        } catch (x) {}
      } else {
        clearTimeout(timer);
        timer = 0;
        app(AppEv.WifiDown, 'no Wi-Fi SSID configured or saved (npm run provision -- --wifi-ssid NAME)');
      }
    }
  }

  w(0); // closed at every boot, so a power cut during maintenance comes back closed
  if (!limit) return w;
  W.on('connected', w);
  W.on('disconnected', w);
  // After load() the ESP8266 keeps its Wi-Fi association: no `connected` event will come.
  const ip = W.getIP().ip;
  w(ip && ip !== '0.0.0.0' ? { ip: ip } : undefined);
  return w;
};
