// Board profiles for the virtual device: what process.env reports, flash size, pins, modules.
// Figures come from Espruino 2v29's boards/ESP8266_4MB.py and boards/ESP32.py; nothing here is measured.

export type ProfileName = 'esp8266' | 'esp32';

export interface BoardProfile {
  name: ProfileName;
  /** process.env.BOARD (PC_BOARD_ID). */
  board: string;
  version: string;
  /** Espruino's Linux build: its banner has no terminal codes and no ESP8266 flash map line. */
  linuxBuild?: boolean;
  /** The banner's "(c) YEAR G.Williams": 2025 in the 2v29 release, later in later builds. */
  copyrightYear?: number;
  /** JsVars reported as process.memory().total. */
  jsVars: number;
  /** Storage area: saved_code pages x page_size. */
  storageBytes: number;
  pageSize: number;
  /** process.env.RAM / FLASH (bytes, informational). */
  ram: number;
  flash: number;
  /** Highest GPIO number: pins D0..D<maxPin> exist. */
  maxPin: number;
  /** Pins that setWatch refuses (jshCanWatch). */
  unwatchable: number[];
  /** Pins wired to the SPI flash chip: touching them crashes a real board. */
  flashPins: number[];
  /** The NodeMCU class exists (ESP8266 builds only, targets/esp8266/jswrap_nodemcu.c). */
  nodeMcu: boolean;
  /** Board constants such as LED1/BTN1 (ESP32.py 'devices'; the ESP8266 build has none). */
  constants: Record<string, number>;
  /** process.env.MODULES: every library compiled into the build (scripts/build_board_json.py). */
  modules: string[];
  /** Crypto hashes compiled in (USE_SHA256/USE_SHA512 are ESP32-only). */
  hashes: string[];
}

const esp8266: BoardProfile = {
  name: 'esp8266',
  board: 'ESP8266_4MB',
  version: '2v29',
  jsVars: 1600,
  storageBytes: 48 * 4096,
  pageSize: 4096,
  ram: 80 * 1024,
  flash: 4 * 1024 * 1024,
  maxPin: 16,
  unwatchable: [16],
  flashPins: [6, 7, 8, 9, 10, 11],
  nodeMcu: true,
  constants: {},
  // libraries NET, TELNET, CRYPTO, NEOPIXEL (+ GRAPHICS, which adds no module) and the always-on ones
  modules: ['Flash', 'Storage', 'heatshrink', 'timer', 'net', 'dgram', 'http', 'Wifi', 'ESP8266', 'TelnetServer', 'crypto', 'neopixel'],
  hashes: ['SHA1'],
};

const esp32: BoardProfile = {
  name: 'esp32',
  board: 'ESP32',
  version: '2v29',
  // ESP32 builds size the JsVar pool from free heap at boot (see the note in boards/ESP32.py);
  // 16383 is the configured maximum, not a measurement.
  jsVars: 16383,
  storageBytes: 224 * 4096,
  pageSize: 4096,
  ram: 512 * 1024,
  flash: 4 * 1024 * 1024,
  maxPin: 39,
  unwatchable: [],
  flashPins: [6, 7, 8, 9, 10, 11],
  nodeMcu: false,
  constants: { LED1: 2, BTN1: 0 },
  modules: ['Flash', 'Storage', 'heatshrink', 'timer', 'net', 'dgram', 'http', 'tls', 'Wifi', 'ESP32', 'TelnetServer', 'crypto', 'neopixel', 'fs'],
  hashes: ['SHA1', 'SHA224', 'SHA256', 'SHA384', 'SHA512'],
};

export const boards: Record<ProfileName, BoardProfile> = { esp8266, esp32 };

export function getBoard(name: ProfileName): BoardProfile {
  const b = boards[name];
  if (!b) throw new Error(`Unknown simulator profile "${String(name)}": use esp8266 or esp32.`);
  return b;
}

/**
 * NodeMCU silk-screen names to GPIO numbers (targets/esp8266/jswrap_nodemcu.c, 2v29).
 * A0 maps to GPIO0 there too: the source says so (`"generate_full" : "0"`), so we copy it.
 */
export const nodeMcuPins: Record<string, number> = {
  A0: 0, D0: 16, D1: 5, D2: 4, D3: 0, D4: 2, D5: 14, D6: 12, D7: 13, D8: 15, D9: 3, D10: 1,
};
