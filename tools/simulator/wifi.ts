// The simulated access point and the ESP8266 Wi-Fi station (jswrap_esp8266_network.c, 2v29), and the
// Wifi module object, with the soft AP an ESP8266 opens after a fresh flash (open, ESP_xxxxxx) until
// Wifi.stopAP(). No startAP, no scan results beyond our one AP, no ping.
import dns from 'node:dns';
import type { Realm } from './realm';
import type { Lifetime } from './lifetime';
import type { StorageFs } from './storage-fs';
import type { Sntp } from './sntp';

/*
 * connect's callback gets null on an IP, or "bad_password"/"no_ap_found" when an attempt fails
 * (once; the SDK keeps retrying silently); events 'associated', 'connected' {ip,mask,gw},
 * 'disconnected' {ssid,mac,reason}, 'dhcp_timeout'. Wifi.save writes `.wificfg` (plain JSON).
 */
export interface AccessPoint {
  ssid: string;
  password: string;
  up: boolean;
  /** DHCP answers (false: the station associates, then gets 'dhcp_timeout'). */
  dhcp: boolean;
}

export interface WifiTiming {
  /** From an attempt's start to association (or to its failure). */
  connectMs: number;
  /** From association to the IP address. */
  dhcpMs: number;
  /** Between failed attempts. */
  retryMs: number;
  /** From the AP going down to the station noticing (beacon timeout). */
  beaconLossMs: number;
}

/** Where the station's events go: the Wifi module object of the current JavaScript session. */
export interface StationOutput {
  emit(event: string, data: unknown): void;
  callback(fn: unknown, args: unknown[]): void;
  /** The station got or lost its IP address (sockets and SNTP follow it). */
  online(up: boolean): void;
}

type Status = 'off' | 'connecting' | 'bad_password' | 'no_ap_found' | 'connect_failed' | 'connected';
const MODE_NAMES = ['off', 'sta', 'ap', 'sta+ap'];

export interface Station {
  readonly status: Status;
  apChanged(): void;
  /** Soft reset: JavaScript callbacks are dropped, the connection stays (as on the ESP8266). */
  dropCallbacks(): void;
  /** Reconnect from `.wificfg` (jswrap_wifi_restore, run at boot after the boot code). */
  restore(): void;
  createModule(realm: Realm, guard: () => void): object;
}

/**
 * What the SDK keeps in its own flash sector across power cycles: whether the soft AP is on (true
 * after a fresh flash, Espruino issues #857/#883). Espruino #883: Wifi.stopAP() on a fresh flash
 * only takes effect once the station has started (a connect or a restore), so a stopAP at boot,
 * before the station runs, leaves the AP open.
 */
export interface Radio {
  softAp: boolean;
}

export interface StationDeps {
  ap: AccessPoint;
  radio: Radio;
  life: Lifetime;
  timing: WifiTiming;
  fs: StorageFs;
  sntp: Sntp;
  mac: string;
  out: StationOutput;
}

export function createStation(d: StationDeps): Station {
  const { ap, life, timing, out } = d;
  let status: Status = 'off';
  let opMode = 0;
  let savedMode = 0;
  let config = { ssid: '', password: '' };
  let hostname = 'ESP_' + d.mac.replace(/:/g, '').slice(6).toUpperCase();
  let ip = '0.0.0.0';
  let gotIp: unknown;
  let attemptTimer: number | undefined;
  let lossTimer: number | undefined;
  const gw = '192.168.1.1';
  const bssid = '02:00:00:5a:55:aa';

  function setOnline(up: boolean): void {
    ip = up ? '192.168.1.50' : '0.0.0.0';
    out.online(up);
    d.sntp.online(up);
  }
  function completion(result: string | null): void {
    if (typeof gotIp !== 'function') return;
    const fn = gotIp;
    gotIp = undefined;
    out.callback(fn, [result]);
  }
  function disconnected(reason: string): void {
    if (status === 'bad_password' || status === 'no_ap_found' || status === 'connect_failed') completion(status);
    out.emit('disconnected', { ssid: config.ssid, mac: status === 'no_ap_found' ? '00:00:00:00:00:00' : bssid, reason });
  }
  function schedule(ms: number): void {
    life.cancel(attemptTimer);
    attemptTimer = life.after(ms, attempt);
  }
  function attempt(): void {
    if (!ap.up || ap.ssid !== config.ssid) {
      status = 'no_ap_found';
      disconnected('no_ap_found');
      return schedule(timing.retryMs);
    }
    if (ap.password !== config.password) {
      status = 'bad_password';
      disconnected('4way_handshake_timeout');
      return schedule(timing.retryMs);
    }
    status = 'connecting';
    out.emit('associated', { ssid: ap.ssid, mac: bssid, channel: 6 });
    attemptTimer = life.after(timing.dhcpMs, () => {
      if (!ap.up) return attempt();
      if (!ap.dhcp) {
        out.emit('dhcp_timeout', null);
        return schedule(timing.retryMs);
      }
      status = 'connected';
      setOnline(true);
      completion(null);
      out.emit('connected', { ip, mask: '255.255.255.0', gw });
    });
  }
  function start(ssid: string, password: string, cb: unknown): void {
    if (status === 'connected' && config.ssid === ssid && config.password === password) {
      if (typeof cb === 'function') out.callback(cb, [null]);
      return;
    }
    if (status === 'connected') {
      setOnline(false);
      out.emit('disconnected', { ssid: config.ssid, mac: bssid, reason: 'assoc_leave' });
    }
    life.cancel(lossTimer);
    opMode |= 1;
    config = { ssid, password };
    gotIp = cb;
    status = 'connecting';
    schedule(timing.connectMs);
  }

  const station: Station = {
    get status() {
      return status;
    },
    apChanged() {
      if (!ap.up && status === 'connected') {
        life.cancel(lossTimer);
        lossTimer = life.after(timing.beaconLossMs, () => {
          if (ap.up || status !== 'connected') return;
          status = 'connecting';
          setOnline(false);
          out.emit('disconnected', { ssid: config.ssid, mac: bssid, reason: 'beacon_timeout' });
          schedule(timing.retryMs);
        });
      }
    },
    dropCallbacks() {
      gotIp = undefined;
    },
    restore() {
      const raw = d.fs.read('.wificfg');
      if (!raw) return;
      let cfg: Record<string, unknown>;
      try {
        cfg = JSON.parse(raw.toString('latin1'));
      } catch {
        return;
      }
      savedMode = Number(cfg.mode) || 0;
      if (typeof cfg.hostname === 'string') hostname = cfg.hostname;
      if (savedMode & 1) start(String(cfg.ssid ?? ''), String(cfg.password ?? ''), undefined);
    },
    createModule(realm, guard) {
      const m = new realm.R.Object();
      const def = (k: string, fn: (...a: any[]) => unknown): void =>
        Object.defineProperty(m, k, { value: (...a: any[]) => (guard(), fn(...a)), enumerable: true });
      const later = (cb: unknown, args: unknown[]): void => {
        if (typeof cb === 'function') out.callback(cb, args);
      };
      const expectCb = (cb: unknown): void => {
        if (cb !== undefined && cb !== null && typeof cb !== 'function') throw realm.error('Error', `Expecting callback function but got ${String(cb)}`);
      };
      def('connect', (ssid: unknown, options: unknown, cb: unknown) => {
        if (typeof ssid !== 'string') throw realm.error('Error', 'No SSID provided');
        expectCb(cb);
        let password = '';
        if (options !== undefined && options !== null) {
          if (typeof options !== 'object') throw realm.error('Error', `Expecting Object, got ${typeof options}`);
          const p = (options as { password?: unknown }).password;
          if (p !== undefined && typeof p !== 'string') throw realm.error('Error', `Expecting options.password to be a string but got ${typeof p}`);
          password = p ?? '';
        }
        start(ssid.slice(0, 32), password.slice(0, 64), cb);
      });
      def('disconnect', (cb: unknown) => {
        expectCb(cb);
        life.cancel(attemptTimer);
        life.cancel(lossTimer);
        const was = status;
        status = 'off';
        opMode &= 2;
        if (was === 'connected') {
          setOnline(false);
          out.emit('disconnected', { ssid: config.ssid, mac: bssid, reason: 'assoc_leave' });
        }
        later(cb, []);
      });
      def('getIP', (cb: unknown) => {
        expectCb(cb);
        const info = realm.data({ ip, netmask: ip === '0.0.0.0' ? '0.0.0.0' : '255.255.255.0', gw: ip === '0.0.0.0' ? '0.0.0.0' : gw, mac: d.mac });
        later(cb, [null, info]);
        return info;
      });
      def('getDetails', (cb: unknown) => {
        expectCb(cb);
        const det: Record<string, unknown> = { status: status === 'connected' ? 'connected' : status, ssid: config.ssid, password: config.password };
        if (opMode & 1) det.rssi = -60;
        det.savedSsid = null;
        const r = realm.data(det);
        later(cb, [r]);
        return r;
      });
      def('getStatus', (cb: unknown) => {
        expectCb(cb);
        const r = realm.data({ mode: MODE_NAMES[opMode | (d.radio.softAp ? 2 : 0)], station: opMode & 1 ? status : 'off', ap: d.radio.softAp ? 'enabled' : 'disabled', phy: '11n', powersave: 'ps-poll', savedMode: MODE_NAMES[savedMode & 3] });
        later(cb, [r]);
        return r;
      });
      def('setHostname', (name: unknown, cb: unknown) => {
        hostname = String(name).slice(0, 255);
        later(cb, []);
      });
      def('getHostname', (cb: unknown) => {
        later(cb, [hostname]);
        return hostname;
      });
      def('setSNTP', (server: unknown, zone: unknown) => {
        if (typeof zone !== 'number' && !(typeof zone === 'string' && zone.trim() !== '' && !Number.isNaN(Number(zone)))) throw realm.error('Error', 'Zone is not a number');
        const z = Math.trunc(Number(zone));
        if (z < -11 || z > 13) throw realm.error('Error', 'Zone must be in range -11..13');
        if (typeof server !== 'string') throw realm.error('Error', 'Server is not a string');
        d.sntp.start(server, z);
      });
      def('save', (what: unknown) => {
        if (what === 'clear') {
          d.fs.erase('.wificfg');
          return;
        }
        savedMode = opMode;
        const cfg = { ssid: config.ssid, password: config.password, mode: opMode, phyMode: 3, sleepType: 2, hostname, ssidAP: '', passwordAP: '', authmodeAP: 0, hiddenAP: 0, channelAP: 1 };
        d.fs.erase('.wificfg');
        d.fs.write('.wificfg', Buffer.from(JSON.stringify(cfg), 'latin1'));
      });
      def('restore', () => station.restore());
      def('scan', (cb: unknown) => {
        if (typeof cb !== 'function') throw realm.error('Error', `Expecting callback function but got ${String(cb)}`);
        const list = ap.up ? [{ ssid: ap.ssid, authMode: 'wpa2', rssi: -60, channel: 6, mac: bssid }] : [];
        life.after(timing.connectMs, () => out.callback(cb, [realm.data(list)]));
      });
      def('getHostByName', (host: unknown, cb: unknown) => {
        dns.lookup(String(host), 4, (err, addr) => out.callback(cb, [err ? null : addr]));
      });
      def('setConfig', () => undefined);
      def('getAPIP', (cb: unknown) => {
        const on = d.radio.softAp;
        const info = realm.data({ ip: on ? '192.168.4.1' : '0.0.0.0', netmask: on ? '255.255.255.0' : '0.0.0.0', gw: on ? '192.168.4.1' : '0.0.0.0', mac: d.mac });
        later(cb, [null, info]);
        return info;
      });
      def('stopAP', (cb: unknown) => {
        if (opMode & 1) d.radio.softAp = false; // #883: no effect before the station has started
        later(cb, []);
      });
      def('getAPDetails', (cb: unknown) => {
        expectCb(cb);
        const on = d.radio.softAp;
        const r = realm.data({ status: on ? 'enabled' : 'disabled', stations: [], ssid: hostname.startsWith('ESP_') ? hostname : 'ESP_' + d.mac.replace(/:/g, '').slice(6).toUpperCase(), password: '', authMode: 'open', hidden: false, maxConn: 4, savedSsid: null });
        later(cb, [r]);
        return r;
      });
      def('startAP', () => {
        throw realm.error('Error', 'Wifi.startAP is not simulated');
      });
      return m;
    },
  };
  return station;
}
