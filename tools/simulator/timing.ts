// How fast the virtual board's world moves: Wi-Fi and SNTP delays, the watchdog, socket timeouts,
// and (off unless asked for) the time flash writes and the network link take on a real ESP8266.
// Its own file so the device and the session it runs can both read it without importing each other.
import type { WifiTiming } from './wifi';
import type { SntpTiming } from './sntp';

export interface DeviceTiming extends WifiTiming, SntpTiming {
  /** A callback running longer than this resets the board (ESP8266 watchdog). */
  watchdogMs: number;
  /** Sockets die with a timeout if Wi-Fi stays down this long. */
  tcpTimeoutMs: number;
  /** Each 256-byte SPI flash page a write touches stalls the CPU this long (0 = instant). */
  flashPageProgramMs: number;
  /** Each 4 KB flash sector erased stalls the CPU this long (0 = instant). */
  flashSectorEraseMs: number;
  /** The device's network link carries this many bytes per second each way (0 = as fast as the host). */
  linkBytesPerSecond: number;
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
  // Off by default so tests stay fast; benchmarks turn on esp8266Speeds.
  flashPageProgramMs: 0,
  flashSectorEraseMs: 0,
  linkBytesPerSecond: 0,
};

/**
 * A NodeMCU's speeds, for benchmarks. The 4 MB SPI NOR flash on ESP-12E modules is a Winbond
 * W25Q32-class part: its datasheets give a typical page program (up to 256 bytes) of 0.7 ms and a
 * typical 4 KB sector erase of 30 ms (W25Q32BV) to 45 ms (W25Q32JV), maxima 3 ms and 400 ms; Micron's
 * M25P32 datasheet gives 0.64 ms per page, the same order. We take 0.7 ms and 45 ms (typical, not
 * worst case). The SDK's spi_flash_write/erase block the CPU meanwhile, so the simulator stalls.
 * The link is the "115200-line": 115,200 baud 8N1 = 11,520 bytes/s each way, as
 * tools/device/throttled-transport.ts models the USB cable; real ESP8266 Wi-Fi is faster.
 */
export const esp8266Speeds: Pick<DeviceTiming, 'flashPageProgramMs' | 'flashSectorEraseMs' | 'linkBytesPerSecond'> = {
  flashPageProgramMs: 0.7,
  flashSectorEraseMs: 45,
  linkBytesPerSecond: 11520,
};
