// What lives from power-on to power-off: the system clock, the Wi-Fi station and SNTP. A soft
// reset() keeps all three (the ESP8266 stays connected); a power cut or reboot loses them.
import type { BoardProfile } from './boards';
import { createClock, type DeviceClock } from './clock';
import { createLifetime, type Lifetime } from './lifetime';
import { createSntp } from './sntp';
import { createStation, type AccessPoint, type Radio, type Station, type WifiTiming } from './wifi';
import type { SntpTiming } from './sntp';
import type { StorageFs } from './storage-fs';

export interface Power {
  life: Lifetime;
  clock: DeviceClock;
  station: Station;
}

/** The current JavaScript session, as the station needs it. */
export interface StationSink {
  wifiEvent(event: string, data: unknown): void;
  queue(fn: unknown, args: unknown[]): void;
  networkOnline(up: boolean): void;
}

export interface PowerDeps {
  board: BoardProfile;
  fs: StorageFs;
  ap: AccessPoint;
  timing: WifiTiming & SntpTiming;
  mac: string;
  radio: Radio;
  out(): StationSink | undefined;
  /** The station got or lost its IP: the board's own LAN services (telnet, port 88) follow it. */
  lan?(up: boolean): void;
}

export function createPower(d: PowerDeps): Power {
  const life = createLifetime();
  const clock = createClock();
  const sntp = createSntp(clock, life, d.timing);
  const station = createStation({
    ap: d.ap,
    life,
    timing: d.timing,
    fs: d.fs,
    sntp,
    mac: d.mac,
    radio: d.radio,
    out: {
      emit: (event, data) => d.out()?.wifiEvent(event, data),
      callback: (fn, args) => d.out()?.queue(fn, args),
      online: (up) => {
        d.out()?.networkOnline(up);
        d.lan?.(up);
      },
    },
  });
  return { life, clock, station };
}
