// Espruino's Storage file system (src/jsflash.c, 2v29) over a FlashImage: 32-byte headers, contiguous
// 4-byte-aligned files, deletion by zeroing the name, compaction when full. Simplified: new files
// always follow the last one, and there is no filename table.
import type { StorageStats } from '../device/device-probe';
import type { FlashImage } from './flash-image';

export const HEADER = 32;
export const NAME_LEN = 28;
export const FLAG_STORAGEFILE = 64;
const ALIGN = 4;

/** An error Espruino raises as an exception (jsExceptionHere) from a Storage call. */
export class StorageError extends Error {}

export interface FileEntry {
  /** Header address; data starts at addr + HEADER. */
  addr: number;
  size: number;
  flags: number;
  name: Buffer;
  deleted: boolean;
}

/** Storage.getStats()'s answer: the same shape the host tools read from a board. */
export type { StorageStats };

export interface StorageFs {
  find(name: string): FileEntry | undefined;
  read(name: string, offset?: number, length?: number): Buffer | undefined;
  /** jsfWriteFile: offset 0 (re)creates the file unless it is an untouched file of the same size. */
  write(name: string, data: Buffer, offset?: number, size?: number, flags?: number): boolean;
  erase(name: string): boolean;
  /** Raw NOR programming inside an existing file (Flash.write semantics: no erased check). */
  program(addr: number, data: Buffer): void;
  list(): { name: string; flags: number }[];
  stats(): StorageStats;
  compact(): boolean;
  eraseAll(): void;
}

const align = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

/** jsfNameFromVar: the name's bytes, cut silently at 28, zero padded. */
export function storageName(name: string): Buffer {
  const b = Buffer.alloc(NAME_LEN, 0);
  Buffer.from(name, 'latin1').copy(b, 0, 0, NAME_LEN);
  return b;
}

export function nameToString(name: Buffer): string {
  const end = name.indexOf(0);
  return name.subarray(0, end < 0 ? name.length : end).toString('latin1');
}

export function createStorageFs(flash: FlashImage, print: (text: string) => void): StorageFs {
  const total = flash.size;
  const page = flash.pageSize;

  function headerAt(addr: number): FileEntry | undefined {
    if (addr + HEADER > total) return undefined;
    const h = flash.read(addr, HEADER);
    const raw = h.readUInt32LE(0);
    if (raw === 0xffffffff || raw === 0) return undefined;
    const size = raw & 0xffffff;
    if (addr + HEADER + size > total) return undefined;
    return { addr, size, flags: raw >>> 24, name: h.subarray(4), deleted: h.readUInt32LE(4) === 0 };
  }

  /** All headers in order, following Espruino's "try the next page" rule (GNFH_GET_ALL). */
  function scan(): { files: FileEntry[]; end: number } {
    const files: FileEntry[] = [];
    let addr = 0;
    let end = 0;
    for (;;) {
      let h = headerAt(addr);
      if (!h) {
        const nextPage = (Math.floor(addr / page) + 1) * page;
        if (addr === 0 || nextPage >= total) break;
        h = headerAt(nextPage);
        if (!h) break;
        addr = nextPage;
      }
      files.push(h);
      end = align(addr + HEADER + h.size);
      addr = end;
      if (addr + HEADER > total) break;
    }
    return { files, end };
  }

  const isReal = (f: FileEntry): boolean => !f.deleted && (f.flags === 0 || f.flags === FLAG_STORAGEFILE || f.flags === 128);

  function find(name: string): FileEntry | undefined {
    const n = storageName(name);
    return scan().files.find((f) => !f.deleted && f.name.equals(n));
  }

  function eraseEntry(f: FileEntry): void {
    flash.program(f.addr + 4, Buffer.alloc(4, 0));
  }

  function stats(): StorageStats {
    const { files, end } = scan();
    const s: StorageStats = { totalBytes: total, freeBytes: total - end, fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0 };
    for (const f of files) {
      const bytes = align(f.size) + HEADER;
      if (f.deleted) {
        s.trashBytes += bytes;
        s.trashCount++;
      } else {
        s.fileBytes += bytes;
        s.fileCount++;
      }
    }
    return s;
  }

  /** jsfCompactInternal: rewrite live files contiguously from the first page holding trash. */
  function compact(): boolean {
    const { files, end } = scan();
    const firstTrash = files.findIndex((f) => f.deleted);
    if (firstTrash < 0) return false;
    print('Compacting...\n');
    // the last page boundary at or before the first trash file where a header starts
    let start = 0;
    for (const f of files.slice(0, firstTrash + 1)) if (f.addr % page === 0) start = f.addr;
    const keep = files.filter((f) => f.addr >= start && isReal(f)).map((f) => flash.read(f.addr, HEADER + align(f.size)));
    for (let p = start; p < end; p += page) flash.erasePage(p);
    let addr = start;
    for (const bytes of keep) {
      flash.program(addr, bytes);
      addr += bytes.length;
    }
    print('\n');
    return true;
  }

  function create(name: string, size: number, flags: number): FileEntry | undefined {
    const required = align(size) + HEADER;
    let { end } = scan();
    if (required > total - end) {
      const s = stats();
      if (required >= s.freeBytes + s.trashBytes || !compact()) return undefined;
      end = scan().end;
      if (required > total - end) return undefined;
    }
    const h = Buffer.alloc(HEADER, 0);
    h.writeUInt32LE((size | (flags << 24)) >>> 0, 0);
    storageName(name).copy(h, 4);
    flash.program(end, h);
    return { addr: end, size, flags, name: h.subarray(4), deleted: false };
  }

  return {
    find,
    read(name, offset = 0, length = 0) {
      const f = find(name);
      if (!f) return undefined;
      if (offset < 0) offset = 0;
      if (length <= 0) length = f.size;
      if (offset > f.size) offset = f.size;
      if (offset + length > f.size) length = f.size - offset;
      return flash.read(f.addr + HEADER + offset, Math.max(0, length));
    },
    write(name, data, offset = 0, size = 0, flags = 0) {
      if (offset < 0 || size < 0) return false;
      if (!size) size = data.length;
      if (!size) throw new StorageError("Can't create zero length file");
      let f = find(name);
      if ((!f && offset === 0) || (f && offset === 0 && (flags !== f.flags || size !== f.size || !flash.isErased(f.addr + HEADER, size)))) {
        if (f && offset === 0 && size === f.size && flags === f.flags && data.length === size && flash.read(f.addr + HEADER, size).equals(data)) return true;
        if (f) eraseEntry(f);
        f = create(name, size, flags);
      }
      if (!f) throw new StorageError('Unable to find or create file');
      if (offset + data.length > f.size) throw new StorageError('Too much data for file size');
      const at = f.addr + HEADER + offset;
      if (!flash.isErased(at, data.length)) throw new StorageError('File already written with different data');
      flash.program(at, data, true);
      flash.payloadDone();
      return true;
    },
    erase(name) {
      const f = find(name);
      if (!f) return false;
      eraseEntry(f);
      return true;
    },
    program(addr, data) {
      flash.program(addr, data, true);
      flash.payloadDone();
    },
    list() {
      return scan()
        .files.filter(isReal)
        .map((f) => ({ name: nameToString(f.name), flags: f.flags }));
    },
    stats,
    compact,
    eraseAll() {
      for (let p = 0; p < total; p += page) flash.erasePage(p);
    },
  };
}
