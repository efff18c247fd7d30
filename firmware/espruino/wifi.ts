// Joins Wi-Fi with our own timeout and retry, and sets the wall clock by SNTP once online.
// Espruino's connect callback reports "bad_password", "no_ap_found" or "connect_failed" once per
// failed attempt and then the SDK retries silently, so only a bad password is treated as a fault.
// Credentials: the configured SSID/password, else those saved on the device by Wifi.save().
import type { Log } from '../ports';
import { clock } from './clock';

const RETRY_MS = 30000;

export function startWifi(
  cfg: { ssid?: string; password?: string; timeoutS: number },
  hostname: string,
  log: Log,
  up: () => void,
  down: (reason: string) => void,
) {
  const W = require('Wifi');
  let timer: number | undefined;
  let online = false;

  // clearTimeout(undefined) throws on Espruino 2v29, and clearTimeout() clears every timer.
  function stop() {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function attempt() {
    stop();
    timer = setTimeout(function () {
      timer = undefined;
      log('wifi: no connection after ' + cfg.timeoutS + ' s, retrying');
      try {
        W.disconnect();
      } catch (e) {}
      timer = setTimeout(attempt, 1000);
    }, cfg.timeoutS * 1000);
    if (cfg.ssid) {
      log('wifi: connecting to "' + cfg.ssid + '"');
      W.connect(cfg.ssid, { password: cfg.password }, function (err) {
        if (!err) return; // success arrives as the `connected` event, with an IP
        if (err !== 'bad_password') return log('wifi: ' + err + ', still trying');
        stop();
        down('wrong password for "' + cfg.ssid + '" (fix with npm run provision -- --wifi-password)');
        timer = setTimeout(attempt, RETRY_MS);
      });
    } else if (!require('Storage').read('.wificfg')) {
      stop();
      down('no SSID in config.json and none saved on the device (run npm run provision -- --wifi-ssid NAME)');
    } else {
      log('wifi: joining the network saved on the device');
      try {
        W.restore();
      } catch (e) {}
    }
  }

  W.on('connected', function () {
    stop();
    if (online) return;
    online = true;
    log('wifi: connected, ip ' + W.getIP().ip);
    try {
      W.setSNTP('pool.ntp.org', 0);
      // Sample the clock until SNTP has set it, so its jump is folded out within 50 ms (clock.ts).
      let n = 0;
      const poll = setInterval(function () {
        clock.now();
        if (++n > 200 || clock.wall() !== null) clearInterval(poll);
      }, 50);
    } catch (e) {}
    up();
  });
  W.on('disconnected', function () {
    if (!online) return;
    online = false;
    log('wifi: disconnected');
    down('');
    attempt();
  });
  try {
    W.setHostname(hostname);
  } catch (e) {}
  // After load() the ESP8266 keeps its Wi-Fi association: no `connected` event will come.
  const ip = W.getIP().ip;
  if (ip && ip !== '0.0.0.0') {
    online = true;
    log('wifi: already connected, ip ' + ip);
    up();
  } else attempt();
}
