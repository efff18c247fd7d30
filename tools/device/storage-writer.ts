// Fast, acknowledged Storage writes and reads over the console. Each line carries one chunk as
// base64 (1.33x on the wire); the device writes it, reads the file back from flash and prints the
// CRC-32 of everything written so far, and the host checks it before the next line (one chunk in
// flight: a real ESP8266 drops serial input while it erases flash). Unlike the Espruino CLI's
// --storage it needs no fixed 250 ms pause per line. It does not decide what to write or when.
import { randomBytes } from 'node:crypto';
import { UserError } from '../shared/errors';
import { type ConsoleClient, jsString } from './console-client';
import { crc32 } from './crc32';

/**
 * The device-side helper, defined once per session (reset() removes it). W(name, bytes, offset,
 * size) writes, then prints STX "~" end ":" crc ETX and returns the CRC. Espruino 2v29 JavaScript.
 */
export const WRITE_HELPER =
  'function W(n,d,o,t){var S=require("Storage");S.write(n,d,o,t);var l=o+d.length,c=E.CRC32(S.read(n,0,l));print("\\x02~"+l+":"+c+"\\x03");return c}';

/**
 * 1536 bytes = 2048 base64 characters per line. A line that long costs about 350 JsVars while
 * Espruino parses it, which a stopped program leaves plenty for (1600 in all on an ESP8266).
 */
export const DEFAULT_CHUNK_BYTES = 1536;

export interface StorageWriter {
  /** Defines W on the device. Call after reset(), before the first write. */
  install(): void;
  /** Writes `data` as `name` (created with its full size, then filled), each chunk verified. */
  write(name: string, data: Buffer, onProgress?: (bytes: number) => void): Promise<void>;
  /**
   * Writes several files, packing small ones together into lines of up to `lineChars` base64
   * characters (fewer round trips); each file is still verified on its own.
   */
  writeFiles(files: { name: string; data: Buffer }[], onProgress?: (bytes: number) => void): Promise<void>;
  /**
   * Writes `backup`, and only if the device read it back intact writes `main` with the same bytes:
   * one transfer of the data, two verified files, `main` untouched unless `backup` is good. `then`
   * is JavaScript the device runs after both verified (e.g. erasing old files); `after` runs
   * whatever happened (e.g. load()).
   */
  writeBackupThenMain(backup: string, main: string, data: Buffer, onProgress?: (bytes: number) => void, extra?: { then?: string; after?: string }): Promise<void>;
}

export interface WriterOptions {
  chunkBytes?: number;
  /** Longest line writeFiles builds, in base64 characters (default one chunk). */
  lineChars?: number;
  timeoutMs?: number;
}

function ack(end: number, data: Buffer): string {
  return `~${end}:${crc32(data.subarray(0, end))}`;
}

function verifyFailed(name: string, got: string, want: string): UserError {
  return new UserError(
    `The device read back ${name} differently from what was sent (${got} instead of ${want}): the link corrupted data or the flash is failing; run the command again (the previous files are kept until the new ones verify).`,
    'storage-verify-failed',
  );
}

export function createStorageWriter(client: ConsoleClient, opts: WriterOptions = {}): StorageWriter {
  const chunk = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const timeoutMs = opts.timeoutMs;

  async function write(name: string, data: Buffer, onProgress?: (bytes: number) => void): Promise<void> {
    if (data.length === 0) throw new Error(`bug: Storage cannot hold the empty file ${name}`);
    for (let off = 0; off < data.length; off += chunk) {
      const part = data.subarray(off, off + chunk);
      const want = ack(off + part.length, data);
      const [got] = await client.exchange(writeCall(name, part, off, off === 0 ? data.length : undefined), 1, { timeoutMs });
      if (got !== want) throw verifyFailed(name, got, want);
      onProgress?.(part.length);
    }
  }

  async function writeGroup(group: { name: string; data: Buffer }[], onProgress?: (bytes: number) => void): Promise<void> {
    const code = group.map((f) => writeCall(f.name, f.data, 0, f.data.length)).join(';');
    const wants = group.map((f) => ack(f.data.length, f.data));
    const got = await client.exchange(code, group.length, { timeoutMs, check: (body, i) => body === wants[i] });
    group.forEach((f, i) => {
      if (got[i] !== wants[i]) throw verifyFailed(f.name, got[i], wants[i]);
      onProgress?.(f.data.length);
    });
  }

  return {
    install() {
      client.send(WRITE_HELPER);
    },
    write,
    async writeFiles(files, onProgress) {
      const limit = opts.lineChars ?? Math.ceil(chunk / 3) * 4;
      let group: { name: string; data: Buffer }[] = [];
      let chars = 0;
      for (const f of files) {
        const b64 = Math.ceil(f.data.length / 3) * 4;
        if (f.data.length > chunk) {
          await write(f.name, f.data, onProgress);
          continue;
        }
        if (group.length && chars + b64 > limit) {
          await writeGroup(group, onProgress);
          group = [];
          chars = 0;
        }
        group.push(f);
        chars += b64;
      }
      if (group.length) await writeGroup(group, onProgress);
    },
    async writeBackupThenMain(backup, main, data, onProgress, extra = {}) {
      const after = extra.after ? `;${extra.after}` : '';
      if (data.length > chunk) {
        await write(backup, data, onProgress);
        await write(main, data, onProgress);
        if (extra.then || extra.after) await client.exchange(`${extra.then ?? ''};print("\\x02~ok\\x03")${after}`, 1, { timeoutMs });
        return;
      }
      const want = ack(data.length, data);
      const crc = want.slice(want.indexOf(':') + 1);
      // The device compares the backup's CRC itself, so `main` is never erased for a bad backup,
      // and `then` never runs unless both files are good.
      const then = extra.then ? `==${crc}&&(function(){${extra.then}})()` : '';
      const code = `var d=atob("${data.toString('base64')}");W(${jsString(backup)},d,0,${data.length})==${crc}&&W(${jsString(main)},d,0,${data.length})${then}${after}`;
      const got = await client.exchange(code, 2, { timeoutMs, check: (body) => body === want });
      if (got[0] !== want) throw verifyFailed(backup, got[0], want);
      onProgress?.(data.length);
      if (got[1] !== want) throw verifyFailed(main, got[1], want);
      onProgress?.(data.length);
    },
  };
}

/**
 * Reads a whole Storage file in slices that stay small in the device's RAM. undefined: no such file.
 * What the device prints is each slice XORed with a fresh random pad the host sent it (as input,
 * which the console does not echo), so a file holding secrets (the private key, config.json with
 * the Wi-Fi password and device secret) never appears on the device's console output: not in the
 * virtual NodeMCU's log, not in a terminal attached to the board. The pad is as long as the slice
 * and used once, so the output tells nothing about the bytes.
 */
export async function readStorageFile(client: ConsoleClient, name: string, slice = 512): Promise<Buffer | undefined> {
  const length = await client.evaluate<number | null>(`(function(s){return s===undefined?null:s.length})(require("Storage").read(${jsString(name)}))`);
  if (length === null) return undefined;
  const parts: Buffer[] = [];
  for (let off = 0; off < length; off += slice) {
    const pad = randomBytes(Math.min(slice, length - off));
    const masked = await client.evaluate<string>(maskedSliceExpression(name, off, pad));
    const got = Buffer.from(masked, 'base64');
    if (got.length !== pad.length) throw new Error(`Bug: ${name} gave ${got.length} bytes at ${off}, expected ${pad.length}.`);
    for (let i = 0; i < got.length; i++) got[i] ^= pad[i];
    parts.push(got);
  }
  return Buffer.concat(parts);
}

/** Length and CRC-32 of a Storage file as the device reads it from flash, or undefined if absent. */
export async function storageFileCrc(client: ConsoleClient, name: string): Promise<{ length: number; crc: number } | undefined> {
  const r = await client.evaluate<[number, number] | null>(crcExpression(name));
  return r === null ? undefined : { length: r[0], crc: r[1] };
}

/** One W() call: `data` written into `name` at `offset`; `size` pre-sizes the file (first chunk). */
export function writeCall(name: string, data: Buffer, offset: number, size?: number): string {
  return `W(${jsString(name)},atob("${data.toString('base64')}"),${offset}${size === undefined ? '' : `,${size}`})`;
}

/** [length, CRC-32] of a Storage file as the device reads it from flash, or null when it is absent. */
export function crcExpression(name: string): string {
  return `(function(s){return s===undefined?null:[s.length,E.CRC32(s)]})(require("Storage").read(${jsString(name)}))`;
}

/** A slice of a Storage file XORed with `pad` on the device, as base64 (readStorageFile). */
export function maskedSliceExpression(name: string, offset: number, pad: Buffer): string {
  return (
    `(function(s,p){for(var o="",i=0;i<p.length;i++)o+=String.fromCharCode(s.charCodeAt(i)^p.charCodeAt(i));return btoa(o)})` +
    `(require("Storage").read(${jsString(name)},${offset},${pad.length}),atob("${pad.toString('base64')}"))`
  );
}
