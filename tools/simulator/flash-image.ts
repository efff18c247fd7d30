// The NOR flash area that backs Storage: bits only go 1->0 when programming, erase is per page.
// Optionally persisted to a file (write-through), with a hook to cut power in the middle of a write,
// and optionally as slow as the real chip (the CPU stalls while it programs or erases). It knows
// nothing about files; storage-fs.ts lays Espruino's file system on top.
import fs from 'node:fs';

/** Thrown out of a flash write when a planned power cut fires; the device treats it as power loss. */
export class PowerCutError extends Error {
  constructor() {
    super('power cut during flash write');
  }
}

export interface FlashStats {
  /** Payload and header bytes programmed since the image was opened. */
  bytesWritten: number;
  /** Erase count per page since the image was opened (NOR wear). */
  pageErases: number[];
  /** Time the CPU stalled on programming and erasing (0 unless the image has speeds). */
  busyMs: number;
}

/** How long the chip takes (timing.ts esp8266Speeds); zeros = instant. */
export interface FlashSpeed {
  pageProgramMs: number;
  sectorEraseMs: number;
}

/** SPI NOR programs in 256-byte pages: a write costs one page program per page it touches. */
const PROGRAM_PAGE = 256;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The SDK's flash calls block the CPU: the whole host thread sleeps (no CPU burnt), as the board would. */
function stall(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

export interface FlashImage {
  readonly size: number;
  readonly pageSize: number;
  read(addr: number, len: number): Buffer;
  /** Programs bytes. `payload` writes count towards a planned power cut; metadata writes do not. */
  program(addr: number, data: Buffer, payload?: boolean): void;
  erasePage(addr: number): void;
  isErased(addr: number, len: number): boolean;
  /**
   * The next Storage write stops after `atByte` payload bytes and power is lost. If that write
   * is shorter, power is lost right after it (see payloadDone).
   */
  armPowerCut(atByte: number, onCut: () => void): void;
  /** Storage calls this when one API-level write has finished programming its payload. */
  payloadDone(): void;
  stats(): FlashStats;
  close(): void;
}

export function createFlashImage(size: number, pageSize: number, file?: string, speed?: FlashSpeed): FlashImage {
  const mem = Buffer.alloc(size, 0xff);
  let fd: number | undefined;
  if (file) {
    if (fs.existsSync(file)) {
      const old = fs.readFileSync(file);
      old.copy(mem, 0, 0, Math.min(old.length, size));
      fd = fs.openSync(file, 'r+');
      // The image holds the device's secrets (Wi-Fi password, key.der, gateway secret).
      fs.fchmodSync(fd, 0o600);
      if (old.length !== size) {
        fs.ftruncateSync(fd, size);
        fs.writeSync(fd, mem, 0, size, 0);
      }
    } else {
      fd = fs.openSync(file, 'w+', 0o600);
      fs.writeSync(fd, mem, 0, size, 0);
    }
  }
  const pageErases = new Array<number>(Math.ceil(size / pageSize)).fill(0);
  let bytesWritten = 0;
  let busyMs = 0;
  const spend = (ms: number): void => {
    if (!(ms > 0)) return;
    busyMs += ms;
    stall(ms);
  };
  let cut: { left: number; started: boolean; onCut: () => void } | undefined;

  function fire(): never {
    const planned = cut;
    cut = undefined;
    planned?.onCut();
    throw new PowerCutError();
  }

  function persist(addr: number, len: number): void {
    if (fd !== undefined && len > 0) fs.writeSync(fd, mem, addr, len, addr);
  }
  function check(addr: number, len: number): void {
    if (addr < 0 || len < 0 || addr + len > size) throw new Error(`flash access out of range: ${addr}+${len}`);
  }

  return {
    size,
    pageSize,
    read(addr, len) {
      check(addr, len);
      return Buffer.from(mem.subarray(addr, addr + len));
    },
    program(addr, data, payload = false) {
      check(addr, data.length);
      let n = data.length;
      const planned = payload ? cut : undefined;
      if (planned && planned.left < n) n = planned.left;
      for (let i = 0; i < n; i++) mem[addr + i] &= data[i];
      bytesWritten += n;
      persist(addr, n);
      if (n > 0 && speed) spend((Math.floor((addr + n - 1) / PROGRAM_PAGE) - Math.floor(addr / PROGRAM_PAGE) + 1) * speed.pageProgramMs);
      if (planned) {
        planned.started = true;
        planned.left -= n;
        if (n < data.length) fire();
      }
    },
    erasePage(addr) {
      const page = Math.floor(addr / pageSize);
      const start = page * pageSize;
      check(start, pageSize);
      mem.fill(0xff, start, start + pageSize);
      pageErases[page]++;
      persist(start, pageSize);
      if (speed) spend((speed.sectorEraseMs * pageSize) / 4096);
    },
    isErased(addr, len) {
      check(addr, len);
      for (let i = addr; i < addr + len; i++) if (mem[i] !== 0xff) return false;
      return true;
    },
    armPowerCut(atByte, onCut) {
      cut = { left: Math.max(0, Math.floor(atByte)), started: false, onCut };
    },
    payloadDone() {
      if (cut?.started) fire();
    },
    stats: () => ({ bytesWritten, pageErases: pageErases.slice(), busyMs }),
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
