// Wifi.setSNTP as the ESP8266 port does it (jswrap_esp8266_network.c sntpSync); the "server" is the
// host clock, answering only while the station has an IP address.
import type { DeviceClock } from './clock';
import type { Lifetime } from './lifetime';

/*
 * A poll 100 ms after setSNTP, then every 30 s; each poll that has a time calls setTime() with WHOLE
 * seconds (+ zone hours), so getTime() jumps to epoch seconds and can step back by under a second.
 */
export interface SntpTiming {
  /** First poll after setSNTP (100 ms on the device). */
  firstPollMs: number;
  /** Later polls (30 s on the device). */
  pollMs: number;
  /** Time after getting an IP before the SDK's SNTP client has an answer. */
  latencyMs: number;
}

export interface Sntp {
  start(server: string, zone: number): void;
  /** The station got (true) or lost (false) its IP address. */
  online(up: boolean): void;
}

export function createSntp(clock: DeviceClock, life: Lifetime, timing: SntpTiming, hostEpochMs: () => number = Date.now): Sntp {
  let zone = 0;
  let timer: number | undefined;
  let onlineSince: number | undefined;

  function poll(): void {
    const ready = onlineSince !== undefined && performance.now() - onlineSince >= timing.latencyMs;
    if (ready) clock.set(Math.floor(hostEpochMs() / 1000) + zone * 3600);
    timer = life.after(timing.pollMs, poll);
  }

  return {
    start(_server, z) {
      zone = z;
      life.cancel(timer);
      timer = life.after(timing.firstPollMs, poll);
    },
    online(up) {
      onlineSince = up ? performance.now() : undefined;
    },
  };
}
