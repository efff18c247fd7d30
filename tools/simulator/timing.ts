// How fast the virtual board's world moves: Wi-Fi and SNTP delays, the watchdog, socket timeouts.
// Its own file so the device and the session it runs can both read it without importing each other.
import type { WifiTiming } from './wifi';
import type { SntpTiming } from './sntp';

export interface DeviceTiming extends WifiTiming, SntpTiming {
  /** A callback running longer than this resets the board (ESP8266 watchdog). */
  watchdogMs: number;
  /** Sockets die with a timeout if Wi-Fi stays down this long. */
  tcpTimeoutMs: number;
}

export const defaultTiming: DeviceTiming = {
  connectMs: 100,
  dhcpMs: 50,
  retryMs: 1000,
  beaconLossMs: 100,
  firstPollMs: 100,
  pollMs: 30000,
  latencyMs: 50,
  watchdogMs: 5000,
  tcpTimeoutMs: 20000,
};
