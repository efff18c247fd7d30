// require("Storage") as the device sees it (src/jswrap_storage.c, 2v29): strings of bytes in and out,
// Espruino's exception messages, StorageFile append logs in 4064-byte chunks ("name\1", "name\2"..).
// Reads return copies, not memory-mapped strings, so RAM cost differs from the device.
import type { Realm } from './realm';
import { FLAG_STORAGEFILE, HEADER, StorageError, type StorageFs } from './storage-fs';

const CHUNK = 4096 - HEADER; // STORAGEFILE_CHUNKSIZE for 4 KB pages

/** JSV_GET_AS_CHAR_ARRAY: what bytes Espruino writes for a value. */
export function bytesOf(v: unknown): Buffer {
  if (typeof v === 'string') return Buffer.from(Array.from(v, (c) => c.charCodeAt(0) & 0xff));
  if (v instanceof Object && Object.prototype.toString.call(v) === '[object ArrayBuffer]') return Buffer.from(new Uint8Array(v as ArrayBuffer));
  if (ArrayBuffer.isView(v)) return Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  if (Array.isArray(v)) return Buffer.from(v.map((x) => Number(x) & 0xff));
  return Buffer.from(String(v), 'latin1');
}

/** `bytes` as an ArrayBuffer of the device's realm (what Storage.readArrayBuffer and crypto return). */
export function arrayBufferOf(realm: Realm, bytes: Uint8Array): ArrayBuffer {
  const ab = new realm.R.ArrayBuffer(bytes.length);
  new realm.R.Uint8Array(ab).set(bytes);
  return ab;
}

const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Storage.writeJSON's format: keys without quotes where possible, functions and undefined dropped. */
function compactJson(v: unknown): string | undefined {
  if (v === undefined || typeof v === 'function') return undefined;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((x) => compactJson(x) ?? 'null').join(',') + ']';
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as object)) {
    const s = compactJson(x);
    if (s !== undefined) parts.push((ident.test(k) ? k : JSON.stringify(k)) + ':' + s);
  }
  return '{' + parts.join(',') + '}';
}

export function createStorageModule(realm: Realm, fs: StorageFs, guard: () => void): object {
  const latin1 = (b: Buffer): string => b.toString('latin1');
  const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    guard();
    try {
      return f(...a);
    } catch (e) {
      if (e instanceof StorageError) throw realm.error('Error', e.message);
      throw e;
    }
  };
  const parse = (text: string, noExceptions: boolean): unknown => {
    try {
      return realm.R.JSON.parse(text);
    } catch {
      // jswrap_json_parse_liberal also takes JS object syntax (unquoted keys, as writeJSON writes)
      try {
        if (/^\s*[[{"'\d\-tfn]/.test(text)) return realm.run(`(${text}\n)`, 'readJSON');
      } catch {
        // fall through
      }
      if (noExceptions) return undefined;
      throw realm.error('SyntaxError', 'Invalid JSON');
    }
  };
  const baseName = (name: unknown): string => String(name).slice(0, 27);

  function openFile(nameArg: unknown, mode: unknown): object {
    if (mode !== 'r' && mode !== 'w' && mode !== 'a') throw realm.error('Error', `Invalid mode ${JSON.stringify(mode)}`);
    const base = baseName(nameArg);
    const chunkName = (c: number): string => base + String.fromCharCode(c);
    const f = new realm.R.Object();
    f.name = base;
    f.chunk = 1;
    f.offset = 0;
    f.mode = mode.charCodeAt(0);
    /** Bytes written in a chunk (erased flash, 0xFF, ends them); 0 for none. */
    const usedLength = (b: Buffer | undefined): number => {
      if (!b) return 0;
      const end = b.indexOf(0xff);
      return end < 0 ? b.length : end;
    };
    if (mode === 'w') eraseAll();
    if (mode === 'a') {
      let c = 1;
      let b: Buffer | undefined;
      for (;;) {
        b = fs.read(chunkName(c));
        if (!b || b[b.length - 1] === 0xff || c >= 255) break;
        c++;
      }
      f.chunk = c;
      f.offset = usedLength(b);
    }
    function eraseAll(): void {
      for (let c = 1; fs.erase(chunkName(c)); c++);
    }
    /** jswrap_storagefile_read_internal: reads up to len bytes, or a line when len < 0. */
    function readInternal(len: number): string | undefined {
      if (f.mode !== 0x72) throw realm.error('Error', "Can't read in this mode");
      let lineMode = len < 0;
      let buf = fs.read(chunkName(f.chunk));
      if (!buf) return undefined;
      let out: string | undefined;
      if (lineMode) len = 32;
      while (len) {
        if (buf.length - f.offset <= 0) {
          f.offset = 0;
          if (f.chunk === 255) return out;
          f.chunk++;
          buf = fs.read(chunkName(f.chunk));
          if (!buf) return out;
        }
        let l = Math.min(len, 32, buf.length - f.offset);
        for (let i = 0; i < l; i++) {
          const c = buf[f.offset + i];
          if (c === 0xff) {
            l = len = i;
            break;
          }
          if (lineMode && c === 0x0a) {
            l = len = i + 1;
            lineMode = false;
            break;
          }
        }
        if (!l) break;
        out = (out ?? '') + latin1(buf.subarray(f.offset, f.offset + l));
        len -= l;
        f.offset += l;
        if (lineMode) len = 32;
      }
      return out;
    }
    const def = (k: string, fn: (...a: any[]) => unknown): void => Object.defineProperty(f, k, { value: wrap(fn), enumerable: false });
    def('read', (len: unknown) => readInternal(Math.max(0, Number(len) || 0)));
    def('readLine', () => readInternal(-1));
    def('getLength', () => {
      let total = 0;
      for (let c = 1; c < 256; c++) {
        const b = fs.read(chunkName(c));
        if (!b) break;
        total += usedLength(b);
        if (b[b.length - 1] === 0xff) break;
      }
      return total;
    });
    def('erase', () => {
      eraseAll();
      f.chunk = 1;
      f.offset = 0;
      f.mode = 0;
    });
    def('write', (data: unknown) => {
      if (f.mode !== 0x77 && f.mode !== 0x61) throw realm.error('Error', "Can't write in this mode");
      const bytes = bytesOf(data);
      if (!bytes.length) return;
      const entry = fs.find(chunkName(f.chunk));
      if (!entry) {
        fs.write(chunkName(f.chunk), bytes, 0, CHUNK, FLAG_STORAGEFILE);
        f.offset = bytes.length;
        return;
      }
      const remaining = entry.size - f.offset;
      if (bytes.length < remaining) {
        fs.program(entry.addr + HEADER + f.offset, bytes);
        f.offset += bytes.length;
        return;
      }
      // fill this chunk, then start the next one with the rest (jswrap_storagefile_write)
      fs.program(entry.addr + HEADER + f.offset, bytes.subarray(0, remaining));
      f.offset += remaining;
      if (f.chunk === 255) throw realm.error('Error', 'File too big!');
      f.chunk++;
      const rest = bytes.subarray(remaining);
      fs.write(chunkName(f.chunk), rest, 0, CHUNK, FLAG_STORAGEFILE);
      f.offset = rest.length;
    });
    return f;
  }

  const m = new realm.R.Object();
  const def = (k: string, fn: (...a: any[]) => unknown): void => Object.defineProperty(m, k, { value: wrap(fn), enumerable: true });
  def('read', (name: unknown, offset: unknown, length: unknown) => {
    const b = fs.read(String(name), Number(offset) || 0, Number(length) || 0);
    return b ? latin1(b) : undefined;
  });
  def('readJSON', (name: unknown, noExceptions: unknown) => {
    const b = fs.read(String(name));
    return b ? parse(latin1(b), Boolean(noExceptions)) : undefined;
  });
  def('readArrayBuffer', (name: unknown) => {
    const b = fs.read(String(name));
    return b ? arrayBufferOf(realm, b) : undefined;
  });
  def('write', (name: unknown, data: unknown, offset: unknown, size: unknown) => {
    const isObject = data !== null && typeof data === 'object' && !Array.isArray(data) && !ArrayBuffer.isView(data) && Object.prototype.toString.call(data) !== '[object ArrayBuffer]';
    if (isObject) return fs.write(String(name), Buffer.from(realm.R.JSON.stringify(data) ?? '', 'latin1'));
    return fs.write(String(name), bytesOf(data), Number(offset) || 0, Number(size) || 0);
  });
  def('writeJSON', (name: unknown, data: unknown) => fs.write(String(name), Buffer.from(compactJson(data) ?? '', 'latin1')));
  def('erase', (name: unknown) => {
    fs.erase(String(name));
  });
  def('eraseAll', () => fs.eraseAll());
  def('list', (regex: unknown, filter: unknown) => {
    const sf = filter && typeof filter === 'object' ? (filter as { sf?: unknown }).sf : undefined;
    const out = new realm.R.Array();
    for (const f of fs.list()) {
      const isSf = (f.flags & FLAG_STORAGEFILE) !== 0;
      if (sf === true && !isSf) continue;
      if (sf === false && isSf) continue;
      let name = f.name;
      if (isSf) {
        if (!name.endsWith('\u0001')) continue;
        if (sf === true) name = name.slice(0, -1);
      }
      if (regex !== undefined && !(name.match(regex as RegExp) ?? null)) continue;
      out.push(name);
    }
    return out;
  });
  def('compact', () => {
    fs.compact();
  });
  def('optimise', () => {
    fs.compact();
  });
  def('getFree', () => fs.stats().freeBytes);
  def('getStats', () => realm.data(fs.stats()));
  def('open', openFile);
  return m;
}
