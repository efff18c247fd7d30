// An in-memory Store with NOR-flash rules: a write may only turn erased (0xFF) bytes into data.
// Overwriting written bytes throws, so a module that would need an erase per press is caught here.
import type { Store } from '../../firmware/ports';

export interface FakeStore extends Store {
  files: Map<string, Buffer>;
  /** Bytes written since creation (flash wear proxy) and erases (file deletions/replacements). */
  stats: { bytesWritten: number; erases: number };
}

export function createFakeStore(): FakeStore {
  const files = new Map<string, Buffer>();
  const stats = { bytesWritten: 0, erases: 0 };
  return {
    files,
    stats,
    read(name) {
      const f = files.get(name);
      return f ? f.toString('latin1') : undefined;
    },
    write(name, data, offset, size) {
      if (name.length > 28) throw new Error(`Storage name longer than 28 chars: ${name}`);
      const bytes = Buffer.from(data, 'latin1');
      if (offset === undefined) {
        if (files.has(name)) stats.erases++;
        files.set(name, bytes);
        stats.bytesWritten += bytes.length;
        return true;
      }
      let f = files.get(name);
      if (size !== undefined) {
        if (f) stats.erases++;
        f = Buffer.alloc(size, 0xff);
        files.set(name, f);
      }
      if (!f) throw new Error(`Storage write at offset into missing file ${name}`);
      if (offset + bytes.length > f.length) throw new Error(`Storage write past end of ${name}`);
      for (let i = 0; i < bytes.length; i++) {
        if (f[offset + i] !== 0xff) throw new Error(`Storage overwrite of written byte ${offset + i} in ${name}`);
        f[offset + i] = bytes[i];
      }
      stats.bytesWritten += bytes.length;
      return true;
    },
    erase(name) {
      if (files.delete(name)) stats.erases++;
    },
  };
}
