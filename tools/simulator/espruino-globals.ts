// The interpreter-level globals of Espruino 2v29: console/print, process (env, memory, version),
// E (setBootCode, reboot, toString...), getTime/setTime, getSerial, atob/btoa, reset/load/save,
// dump, echo. Anything the device itself does (rebooting, resetting) goes through GlobalsHost.
import type { Realm } from './realm';
import type { BoardProfile } from './boards';
import type { DeviceClock } from './clock';
import type { StorageFs } from './storage-fs';
import { StorageError } from './storage-fs';
import type { MemoryReport } from './memory-estimate';
import { formatArgs } from './printer';
import { espruinoJson, TOJS_FLAGS } from './espruino-json';
import { arrayBufferOf, bytesOf } from './storage-module';
import { crc32 } from '../device/crc32';

export interface GlobalsHost {
  realm: Realm;
  board: BoardProfile;
  clock: DeviceClock;
  fs: StorageFs;
  serial: string;
  print(text: string): void;
  pinName(v: unknown): string | undefined;
  guard(): void;
  memory(): MemoryReport;
  echo(on: boolean): void;
  /** Deferred to the end of the current event, as Espruino's JSIS_TODO_* flags. */
  request(action: { kind: 'reset'; clearFlash: boolean } | { kind: 'load'; file?: string } | { kind: 'save' } | { kind: 'reboot' }): void;
  /** Code typed at the console since the last reset (what our save() stores). */
  history(): string;
}

export function installGlobals(g: Record<string, any>, h: GlobalsHost): void {
  const { realm, board } = h;
  const out = (...args: unknown[]): void => {
    h.guard();
    h.print(formatArgs(args, { pinName: h.pinName }) + '\n');
  };
  const con = new realm.R.Object();
  for (const k of ['log', 'debug', 'info', 'warn', 'error']) con[k] = out;
  g.console = con;
  g.print = out;
  g.global = g;

  const env = (): object =>
    realm.data({
      VERSION: board.version,
      GIT_COMMIT: 'simulator',
      BOARD: board.board,
      RAM: board.ram,
      FLASH: board.flash,
      // the Linux build reports its flash file as SPI flash
      ...(board.linuxBuild ? { SPIFLASH: board.storageBytes } : {}),
      STORAGE: board.storageBytes,
      SERIAL: h.serial,
      // Serial1, not Telnet: the CLI's fast-write mode for Telnet consoles hangs on short uploads
      CONSOLE: 'Serial1',
      MODULES: board.modules.join(','),
      EXPTR: 0,
    });
  const proc = new realm.R.Object();
  Object.defineProperty(proc, 'env', { get: env, enumerable: true });
  proc.version = board.version;
  proc.memory = () => {
    // Espruino's fields in its order; rx/tx are the console's buffers (sizes from the 2v29 Linux
    // build). `estimate` marks our counts as estimates without showing in Object.keys.
    const { estimate, ...m } = h.memory();
    const out = realm.data({ ...m, rx: { used: 0, total: 1024 }, tx: { used: 0, total: 256 } });
    Object.defineProperty(out, 'estimate', { value: estimate, enumerable: false });
    return out;
  };
  g.process = proc;

  g.getTime = () => h.clock.seconds();
  g.setTime = (t: unknown) => h.clock.set(Number(t));
  g.getSerial = () => h.serial;
  g.atob = (s: unknown) => {
    const text = String(s).replace(/\s/g, '');
    if (/[^A-Za-z0-9+/=]/.test(text)) throw realm.error('Error', 'Invalid base64 character');
    return Buffer.from(text, 'base64').toString('latin1');
  };
  g.btoa = (s: unknown) => bytesOf(s === undefined ? '' : s).toString('base64');
  g.echo = (on: unknown) => h.echo(Boolean(on));
  g.reset = (clearFlash: unknown) => {
    h.guard();
    if (clearFlash) {
      h.print('Erasing saved code.');
      for (const f of ['.varimg', '.bootcde', '.bootrst']) h.fs.erase(f);
      h.print('\nDone!\n');
    }
    h.request({ kind: 'reset', clearFlash: Boolean(clearFlash) });
  };
  g.load = (file: unknown) => {
    h.guard();
    h.request({ kind: 'load', file: file === undefined ? undefined : String(file) });
  };
  g.save = () => {
    h.guard();
    if (h.fs.find('.bootcde')) throw realm.error('Error', 'Cannot save: .bootcde file already exists. Please remove it first.');
    h.request({ kind: 'save' });
  };
  // Espruino prints code that recreates the current state; we can only show what was typed
  g.dump = () => h.print(h.history() + '\n');

  const E = new realm.R.Object();
  const def = (k: string, fn: (...a: any[]) => unknown): void => Object.defineProperty(E, k, { value: fn, enumerable: true, writable: true });
  def('setBootCode', (code: unknown, alwaysExec: unknown) => {
    h.guard();
    h.fs.erase('.bootcde');
    h.fs.erase('.bootrst');
    const text = code === undefined ? '' : String(code);
    if (!text.length) return;
    try {
      h.fs.write(alwaysExec ? '.bootrst' : '.bootcde', bytesOf(text));
    } catch (e) {
      if (e instanceof StorageError) throw realm.error('Error', e.message);
      throw e;
    }
  });
  def('reboot', () => {
    h.guard();
    h.request({ kind: 'reboot' });
  });
  // E.toString and E.toUint8Array: each argument's bytes, a number standing for one byte.
  const argBytes = (args: unknown[]) => Buffer.concat(args.map((a) => (typeof a === 'number' ? Buffer.from([a & 0xff]) : bytesOf(a))));
  def('toString', (...args: unknown[]) => argBytes(args).toString('latin1'));
  def('toUint8Array', (...args: unknown[]) => {
    const b = argBytes(args);
    const u = new realm.R.Uint8Array(b.length);
    u.set(b);
    return u;
  });
  def('toArrayBuffer', (s: unknown) => arrayBufferOf(realm, bytesOf(s)));
  def('toJS', (v: unknown) => espruinoJson(v, TOJS_FLAGS));
  def('CRC32', (data: unknown) => crc32(bytesOf(data)));
  def('hwRand', () => (Math.random() * 0x100000000) | 0);
  def('getConsole', () => 'Serial1');
  def('getErrorFlags', () => new realm.R.Array());
  def('enableWatchdog', () => undefined);
  def('kickWatchdog', () => undefined);
  def('setTimeZone', () => undefined);
  def('getSizeOf', () => 1);
  g.E = E;
}
