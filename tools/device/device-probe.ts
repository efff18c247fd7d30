// What a connected board says about itself (process.env) and its Storage, in one round trip,
// and the checks every tool makes on that answer. It changes nothing on the device.
import { UserError } from '../shared/errors';

export interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}

export interface DeviceInfo {
  /** process.env.VERSION, e.g. "2v29". */
  version: string;
  /** process.env.BOARD, e.g. "ESP8266_4MB". */
  board: string;
  /** process.env.MODULES: the libraries compiled into this build. */
  modules: string[];
  hasTls: boolean;
  storage: StorageStats;
}

/**
 * The probe's JavaScript: env fields, Storage stats, plus whatever `extra` expressions the caller
 * wants in the same reply (answered as `extra[i]`). Espruino 2v29 syntax only.
 */
export function probeExpression(extra: string[] = []): string {
  return `(function(e,S){return[e.VERSION,e.BOARD,e.MODULES,S.getStats()${extra.map((x) => ',' + x).join('')}]})(process.env,require("Storage"))`;
}

/** Turns the probe's answer into DeviceInfo (and the extras), refusing what is not an Espruino. */
export function parseProbe(port: string, answer: unknown): { info: DeviceInfo; extra: unknown[] } {
  const a = Array.isArray(answer) ? answer : [];
  const [version, board, modules, storage] = a;
  if (typeof version !== 'string' || typeof board !== 'string' || typeof storage !== 'object' || storage === null) {
    throw new UserError(
      `The board on ${port} runs JavaScript but does not report an Espruino version and board (process.env): flash Espruino 2v29 for ESP8266 (espruino.com/EspruinoESP8266) and try again.`,
      'device-not-espruino',
    );
  }
  const list = typeof modules === 'string' ? modules.split(',').filter(Boolean) : [];
  return { info: { version, board, modules: list, hasTls: list.includes('tls'), storage: storage as StorageStats }, extra: a.slice(4) };
}

/** "2v29" -> [2, 29]; "2v29.12" (a cutting-edge build) -> [2, 29]. undefined if not a version. */
export function parseVersion(v: string): [number, number] | undefined {
  const m = /^(\d+)v(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The Espruino release everything here was checked against (docs/espruino.md). */
export const TESTED_VERSION = '2v29';

export function isOlderThanTested(v: string): boolean {
  const have = parseVersion(v);
  const want = parseVersion(TESTED_VERSION)!;
  return !have || have[0] < want[0] || (have[0] === want[0] && have[1] < want[1]);
}

/** Bytes a new file of `size` can use once trash is compacted away (plus what it replaces). */
export function spaceFor(stats: StorageStats, replacedBytes = 0): number {
  return stats.freeBytes + stats.trashBytes + replacedBytes;
}

/** Flash a file occupies: a 32-byte header, data padded to 4 bytes (jsflash.c). */
export function storedSize(bytes: number): number {
  return 32 + ((bytes + 3) & ~3);
}
