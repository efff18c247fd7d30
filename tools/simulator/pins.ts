// GPIO of the virtual board: modes, output latches, what the host drives (the button), and the
// resulting electrical level; plus the JavaScript pin API (Pin, D0.., NodeMCU, digitalRead/Write,
// pinMode). Watches live in watches.ts. No analog or PWM beyond a rough on/off.
import type { BoardProfile } from './boards';
import { nodeMcuPins } from './boards';
import type { Realm } from './realm';
import type { Lifetime } from './lifetime';

export type Level = 0 | 1;

const MODES = ['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'af_output', 'af_opendrain', 'opendrain_pullup'];

export interface PinHardware {
  readonly maxPin: number;
  level(n: number): Level;
  mode(n: number): string;
  isManual(n: number): boolean;
  setMode(n: number, mode: string, manual: boolean): void;
  /** The output latch (digitalWrite). */
  write(n: number, v: Level): void;
  /** What the outside world drives onto the pin; undefined = nothing (pulls decide). */
  drive(n: number, level: Level | undefined): void;
  /** Soft reset / power-on: every pin back to an automatic input. */
  resetAll(): void;
  onChange(fn: (n: number, level: Level) => void): () => void;
}

/**
 * Board pulls when nothing drives a pin: GPIO0 (FLASH button) and GPIO2 (LED) are pulled up on
 * a NodeMCU, GPIO15 down; other floating inputs read 0.
 */
const boardPull = (n: number): Level => (n === 0 || n === 2 ? 1 : 0);

export function createPinHardware(board: BoardProfile): PinHardware {
  const count = board.maxPin + 1;
  const modes = new Array<string>(count).fill('input');
  const manual = new Array<boolean>(count).fill(false);
  const latch = new Array<Level>(count).fill(0);
  const external = new Array<Level | undefined>(count).fill(undefined);
  const listeners = new Set<(n: number, level: Level) => void>();

  function level(n: number): Level {
    const m = modes[n];
    const pulled: Level = external[n] ?? (m.endsWith('pullup') ? 1 : m === 'input_pulldown' ? 0 : boardPull(n));
    if (m === 'output' || m === 'af_output') return latch[n];
    if (m.includes('opendrain')) return latch[n] === 0 ? 0 : pulled;
    return pulled;
  }
  function change(n: number, fn: () => void): void {
    const before = level(n);
    fn();
    const after = level(n);
    if (after !== before) for (const l of [...listeners]) l(n, after);
  }

  return {
    maxPin: board.maxPin,
    level,
    mode: (n) => modes[n],
    isManual: (n) => manual[n],
    setMode(n, mode, isManual) {
      change(n, () => {
        modes[n] = mode;
        manual[n] = isManual;
      });
    },
    write(n, v) {
      change(n, () => {
        latch[n] = v;
      });
    },
    drive(n, v) {
      change(n, () => {
        external[n] = v;
      });
    },
    resetAll() {
      for (let n = 0; n < count; n++)
        change(n, () => {
          modes[n] = 'input';
          manual[n] = false;
          latch[n] = 0;
        });
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

export interface PinApi {
  /** The Pin object for a GPIO number (singletons, so D0 === NodeMCU.D3). */
  pin(n: number): object;
  /** GPIO number of a pin argument (Pin, number or "D2"), or undefined if invalid. */
  num(v: unknown): number | undefined;
  name(v: unknown): string | undefined;
}

/** Installs Pin, D0.., NodeMCU, digitalRead/Write, pinMode, getPinMode, digitalPulse, analogRead. */
export function installPins(g: Record<string, any>, realm: Realm, hw: PinHardware, board: BoardProfile, life: Lifetime): PinApi {
  const pins: object[] = [];
  const PinCtor = realm.run(
    `(function () { function Pin(v) { return Pin.host(v); } return Pin; })()`,
    'pins',
  ) as { host: (v: unknown) => object; prototype: Record<string, unknown> };
  Object.defineProperty(PinCtor, 'host', { value: (v: unknown) => pins[need(v)], enumerable: false });
  for (let n = 0; n <= hw.maxPin; n++) {
    const p = Object.create(PinCtor.prototype) as object;
    Object.defineProperty(p, '\u0001pin', { value: n, enumerable: false });
    pins.push(p);
  }

  function num(v: unknown): number | undefined {
    if (v && typeof v === 'object') {
      const n = (v as Record<string, unknown>)['\u0001pin'];
      return typeof n === 'number' ? n : undefined;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= hw.maxPin) return v;
    if (typeof v === 'string' && /^D\d+$/.test(v)) return num(Number(v.slice(1)));
    return undefined;
  }
  function need(v: unknown): number {
    const n = num(v);
    if (n === undefined) throw realm.error('Error', 'Invalid pin!');
    if (board.flashPins.includes(n)) throw realm.error('Error', `D${n} is wired to the SPI flash chip: using it crashes a real board (simulator check)`);
    return n;
  }
  const alive = (): void => {
    if (!life.alive) throw realm.error('Error', 'device is powered off');
  };
  function write(n: number, v: unknown): void {
    alive();
    // latch first, then switch to output, so the pin does not glitch (jshPinOutput)
    hw.write(n, v ? 1 : 0);
    if (!hw.isManual(n)) hw.setMode(n, 'output', false);
  }
  function read(n: number): Level {
    if (!hw.isManual(n) && hw.mode(n) !== 'input') hw.setMode(n, 'input', false);
    return hw.level(n);
  }
  function setMode(n: number, mode: unknown): void {
    alive();
    if (mode === undefined || mode === 'auto') return hw.setMode(n, hw.mode(n), false);
    if (typeof mode !== 'string' || !MODES.includes(mode)) throw realm.error('Error', `Unknown pin mode ${JSON.stringify(mode)}`);
    hw.setMode(n, mode, true);
  }

  const proto = PinCtor.prototype;
  const method = (name: string, f: (this: object, ...a: any[]) => unknown): void => {
    Object.defineProperty(proto, name, { value: f, writable: true, configurable: true, enumerable: false });
  };
  method('read', function () { return read(need(this)) === 1; });
  method('write', function (v) { write(need(this), v); });
  method('set', function () { write(need(this), 1); });
  method('reset', function () { write(need(this), 0); });
  method('toggle', function () {
    const n = need(this);
    const v = hw.level(n) ? 0 : 1;
    write(n, v);
    return v === 1;
  });
  method('mode', function (m) { setMode(need(this), m); });
  method('getMode', function () { return hw.mode(need(this)); });
  method('getInfo', function () { return realm.data({ port: 'D', num: need(this), channel: undefined }); });
  method('toString', function () { return `D${need(this)}`; });
  method('toJSON', function () { return `D${need(this)}`; });
  method('valueOf', function () { return need(this); });

  g.Pin = PinCtor;
  for (let n = 0; n <= hw.maxPin; n++) g[`D${n}`] = pins[n];
  for (const [k, n] of Object.entries(board.constants)) g[k] = pins[n];
  if (board.nodeMcu) {
    const nm = new realm.R.Object();
    for (const [k, n] of Object.entries(nodeMcuPins)) nm[k] = pins[n];
    g.NodeMCU = nm;
  }
  g.HIGH = 1;
  g.LOW = 0;
  g.digitalWrite = (pin: unknown, v: unknown) => {
    if (Array.isArray(pin)) {
      // the last pin gets bit 0 (jswrap_io.c)
      pin.forEach((p, i) => write(need(p), (Number(v) >> (pin.length - 1 - i)) & 1));
    } else write(need(pin), v);
  };
  g.digitalRead = (pin: unknown) => {
    if (Array.isArray(pin)) return pin.reduce((acc: number, p) => (acc << 1) | read(need(p)), 0);
    return read(need(pin));
  };
  g.pinMode = (pin: unknown, mode: unknown) => setMode(need(pin), mode);
  g.getPinMode = (pin: unknown) => hw.mode(need(pin));
  g.digitalPulse = (pin: unknown, value: unknown, ms: unknown) => {
    const n = need(pin);
    write(n, value);
    const total = Array.isArray(ms) ? ms.reduce((a: number, b: number) => a + Number(b), 0) : Number(ms);
    life.after(total, () => hw.write(n, value ? 0 : 1));
  };
  g.analogRead = (pin: unknown) => {
    need(pin);
    return 0;
  };
  g.analogWrite = (pin: unknown, v: unknown) => write(need(pin), Number(v) >= 0.5 ? 1 : 0);

  return { pin: (n) => pins[n], num, name: (v) => (v && typeof v === 'object' && num(v) !== undefined ? `D${num(v)}` : undefined) };
}
