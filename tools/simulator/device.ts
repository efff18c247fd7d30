// The virtual NodeMCU: flash, pins, access point and console that outlive power cycles, plus the
// power-on state (clock, Wi-Fi station, SNTP) and the JavaScript session that reset()/load() replace.
// Boot order follows jsiSemiInit/jsiSoftInit (src/jsinteractive.c) and user_main.c initDone.
import type { BoardProfile, ProfileName } from './boards';
import { getBoard } from './boards';
import { createFlashImage } from './flash-image';
import { createStorageFs } from './storage-fs';
import { createPinHardware } from './pins';
import { createRepl } from './repl';
import { formatValue } from './printer';
import { startConsoleServer, stripTelnet, type ConsoleServer } from './console-server';
import { createLanService, type LanService } from './lan-service';
import { createTelnetConsole } from './telnet';
import { serveFota } from './fota-server';
import { createPower, type Power } from './power';
import { createSession, type Session } from './session';
import { describeError } from './js-runner';
import { estimateMemory, type MemoryReport } from './memory-estimate';
import { defaultTiming, type DeviceTiming } from './timing';
import type { AccessPoint, Radio } from './wifi';

export type { DeviceTiming } from './timing';

export interface VirtualDeviceOptions {
  profile: ProfileName;
  /** Persisted flash image; omitted = in memory. */
  flashFile?: string;
  /** The simulated AP's credentials; default {ssid:'sim-ap', password:'sim-pass'}. */
  wifi?: { ssid: string; password: string };
  /** Everything the device prints (program output, errors, banner), with \n line ends. */
  console?: (text: string) => void;
  /** getSerial(): the MAC-based serial, e.g. "5ccf7f12-3456". */
  serial?: string;
  timing?: Partial<DeviceTiming>;
  /** Reject syntax Espruino cannot run before running it (default true). */
  syntaxCheck?: boolean;
  /**
   * Answer as a particular build would: its version string (a Linux build says e.g. 2v29.277) and
   * whether it is Espruino's Linux build (used to replay transcripts recorded from one).
   */
  build?: { version?: string; linux?: boolean; copyrightYear?: number };
}

export interface VirtualStorage {
  read(name: string): Buffer | undefined;
  write(name: string, data: Buffer | string): void;
  list(): string[];
  erase(name: string): void;
  /** The next Storage payload write stops after `atByte` bytes and the board loses power. */
  cutPowerDuringNextWrite(atByte: number): void;
  /** NOR wear: bytes programmed and erases per 4 KB page since the image was opened, and the time the writes stalled the CPU. */
  wear(): { bytesWritten: number; pageErases: number[]; busyMs: number };
}

export interface VirtualDevice {
  readonly board: BoardProfile;
  readonly poweredOn: boolean;
  boot(): void;
  powerCut(): void;
  reboot(): void;
  setPin(pin: string, level: 0 | 1 | undefined): void;
  press(holdMs: number): Promise<void>;
  onLed(fn: (lit: boolean) => void): () => void;
  pinLevel(pin: string): 0 | 1;
  wifiDown(): void;
  wifiUp(): void;
  /** DHCP on the simulated AP: off = the station associates, then reports 'dhcp_timeout'. */
  wifiDhcp(on: boolean): void;
  storage: VirtualStorage;
  /** Runs code as a console line would; an uncaught exception is printed, then thrown here. */
  evaluate(code: string): unknown;
  /** Bytes typed at the console (the same path as the TCP console). */
  consoleInput(text: string): void;
  /** Everything written to the console terminal (prompts, echo, \r\n) goes here too. */
  onTerminal(fn: (text: string) => void): () => void;
  memory(): MemoryReport;
  /**
   * When the running program's earliest timer is due, on the host's performance.now() clock
   * (Infinity with none, or powered off): a host that waits for "what the board does in N ms" waits
   * until the timers due by then have run, however late a busy machine runs them.
   */
  nextTimerDueAt(): number;
  /** Serves the console on 127.0.0.1:port (0 = any free port); resolves to the bound port. */
  serveConsole(port: number): Promise<number>;
  /**
   * The board's own LAN services on 127.0.0.1, as an ESP8266 build runs them while the station has
   * an IP: the telnet console (port 23 on a board; here `telnet`, 0 = any free port) while its mode
   * is on, and the port-88 update server stand-in (`fota`). Call before boot(); resolves to the ports.
   */
  serveLan(ports: { telnet?: number; fota?: number }): Promise<{ telnet?: number; fota?: number }>;
  /** Resolves once the LAN services have opened or closed as the board last asked. */
  lanSettled(): Promise<void>;
  /** The soft AP as the SDK keeps it (across power cycles): on after a fresh flash. */
  readonly softAp: boolean;
  /** The telnet console's mode (TelnetServer.setOptions), "on" at every boot. */
  readonly telnetMode: 'on' | 'off';
  close(): Promise<void>;
}

function serialToMac(serial: string): string {
  const hex = serial.replace(/[^0-9a-f]/gi, '').padEnd(12, '0').slice(0, 12).toLowerCase();
  return hex.match(/../g)!.join(':');
}

export function createVirtualDevice(opts: VirtualDeviceOptions): VirtualDevice {
  const board: BoardProfile = { ...getBoard(opts.profile) };
  if (opts.build?.version) board.version = opts.build.version;
  // the Linux build is not an ESP8266 target: no NodeMCU pin names
  if (opts.build?.linux) Object.assign(board, { linuxBuild: true, nodeMcu: false });
  if (opts.build?.copyrightYear) board.copyrightYear = opts.build.copyrightYear;
  const timing: DeviceTiming = { ...defaultTiming, ...opts.timing };
  const serial = opts.serial ?? '5ccf7f00-0001';
  const mac = serialToMac(serial);
  const flash = createFlashImage(board.storageBytes, board.pageSize, opts.flashFile, { pageProgramMs: timing.flashPageProgramMs, sectorEraseMs: timing.flashSectorEraseMs });
  const fs = createStorageFs(flash, (t) => print(t));
  const hw = createPinHardware(board);
  const ap: AccessPoint = { ssid: opts.wifi?.ssid ?? 'sim-ap', password: opts.wifi?.password ?? 'sim-pass', up: true, dhcp: true };
  const terminals = new Set<(t: string) => void>();
  // A fresh ESP8266 flash runs an open soft AP (Espruino #857/#883); ESP32 builds start none.
  const radio: Radio = { softAp: board.name === 'esp8266' };
  let telnetSvc: LanService | undefined;
  let fotaSvc: LanService | undefined;
  const telnet = createTelnetConsole(() => telnetSvc);
  let server: ConsoleServer | undefined;
  let power: Power | undefined;
  let session: Session | undefined;
  let closed = false;

  const term = (t: string): void => {
    for (const f of [...terminals]) f(t);
    server?.write(t);
    if (t && telnetSvc) for (const c of telnetSvc.clients()) c.write(Buffer.from(t, 'latin1'));
  };
  const repl = createRepl({
    term,
    execute: (line, onValue) => (session ? session.runLine(line, onValue) : { ok: false }),
    format: (v) => formatValue(v, { pinName: (x) => session?.pinName(x), globals: session?.global }),
    idle: () => afterEvent(),
    identity: `Espruino ${board.version} ${board.board}`,
  });

  function print(text: string): void {
    if (!power) return;
    repl.print(text);
    // the banner's "disable line wrap" code is for terminals, not for a log
    opts.console?.(text.replace(/\x1b\[\?7l/g, ''));
  }

  let restarting = false;
  function afterEvent(): void {
    if (repl.busy || !power || session?.starting || restarting) return;
    session?.runDeferred();
    if (power) repl.returnInputLine();
  }

  function startSession(mode: 'boot' | 'reset' | 'load' | 'loadFile', file?: string): void {
    const p = power!;
    session = createSession({
      board, fs, hw, power: p, repl, print, afterEvent, timing, serial, mac, telnet,
      syntaxCheck: opts.syntaxCheck !== false,
      restart: (m, f) => {
        // no prompt between the old session's end and the new one's banner (E.on('kill') runs as an event)
        restarting = true;
        try {
          session?.kill(true);
        } finally {
          restarting = false;
        }
        // the new session's console starts on a fresh line: the old prompt is not taken off first
        repl.fresh();
        startSession(m, f);
      },
      reboot: () => {
        const keep = p.clock.isSet ? p.clock.seconds() : undefined;
        powerCut();
        boot(keep);
      },
    });
    p.station.dropCallbacks();
    telnet.init(); // jswrap_telnet_kill then _init: "on" again after every reset()/load()
    session.start(mode, file);
  }

  function boot(keepTime?: number): void {
    if (power || closed) return;
    hw.resetAll();
    power = createPower({
      board, fs, ap, timing, mac, radio,
      out: () => session,
      lan: (up) => {
        telnet.online(up);
        fotaSvc?.set(up);
      },
    });
    if (keepTime !== undefined) power.clock.set(keepTime);
    repl.fresh();
    startSession('boot');
    // jswrap_wifi_restore runs after jsiInit, i.e. after the boot code and E.on('init')
    power?.station.restore();
  }

  function powerCut(): void {
    if (!power) return;
    session?.kill(false);
    session = undefined;
    power.life.kill();
    power = undefined;
    telnet.online(false);
    fotaSvc?.set(false);
    hw.resetAll();
    repl.fresh();
  }

  function pinNumber(pin: string): number {
    const m = /^D(\d+)$/.exec(pin);
    const n = m ? Number(m[1]) : NaN;
    if (!(n >= 0 && n <= board.maxPin)) throw new Error(`No pin ${pin} on ${board.board}: use D0..D${board.maxPin}`);
    return n;
  }

  const device: VirtualDevice = {
    board,
    get poweredOn() {
      return power !== undefined;
    },
    boot: () => boot(),
    powerCut,
    reboot() {
      powerCut();
      boot();
    },
    setPin(pin, level) {
      hw.drive(pinNumber(pin), level);
    },
    async press(holdMs) {
      hw.drive(0, 0);
      await new Promise((r) => setTimeout(r, holdMs));
      hw.drive(0, undefined);
    },
    onLed(fn) {
      return hw.onChange((n, level) => {
        if (n === 2) fn(level === 0);
      });
    },
    pinLevel: (pin) => hw.level(pinNumber(pin)),
    wifiDown() {
      ap.up = false;
      power?.station.apChanged();
    },
    wifiUp() {
      ap.up = true;
      power?.station.apChanged();
    },
    wifiDhcp(on) {
      ap.dhcp = on;
    },
    storage: {
      read: (name) => fs.read(name),
      write(name, data) {
        fs.write(name, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      },
      list: () => fs.list().map((f) => f.name),
      erase(name) {
        fs.erase(name);
      },
      cutPowerDuringNextWrite(atByte) {
        flash.armPowerCut(atByte, () => powerCut());
      },
      wear: () => flash.stats(),
    },
    evaluate(code) {
      if (!session) throw new Error('The virtual device is powered off: call boot() first.');
      const r = session.evaluate(code);
      if (!r.ok) throw new Error(`Uncaught ${r.error === undefined ? 'error' : describeError(r.error)}`);
      return r.value;
    },
    consoleInput(text) {
      if (power) repl.input(text);
    },
    onTerminal(fn) {
      terminals.add(fn);
      return () => terminals.delete(fn);
    },
    nextTimerDueAt: () => session?.nextTimerDueAt() ?? Infinity,
    memory() {
      if (!session) throw new Error('The virtual device is powered off: call boot() first.');
      return estimateMemory(session.memoryRoots());
    },
    async serveConsole(port) {
      if (server) return server.port;
      server = await startConsoleServer(port, (t) => device.consoleInput(t));
      return server.port;
    },
    async serveLan(ports) {
      const feed = (sock: import('node:net').Socket): void => {
        sock.setNoDelay(true);
        // The console moving to a new telnet client prints its prompt there at once (seen on 2v29).
        sock.write('>');
        sock.on('data', (d: Buffer) => device.consoleInput(stripTelnet(d).toString('latin1')));
      };
      if (ports.telnet !== undefined && !telnetSvc) telnetSvc = await createLanService(ports.telnet, feed);
      if (ports.fota !== undefined && !fotaSvc) fotaSvc = await createLanService(ports.fota, serveFota);
      return { telnet: telnetSvc?.port, fota: fotaSvc?.port };
    },
    async lanSettled() {
      await telnetSvc?.settled();
      await fotaSvc?.settled();
    },
    get softAp() {
      return radio.softAp;
    },
    get telnetMode() {
      return telnet.mode;
    },
    async close() {
      if (closed) return;
      powerCut();
      closed = true;
      await telnetSvc?.close();
      await fotaSvc?.close();
      await server?.close();
      server = undefined;
      flash.close();
    },
  };
  return device;
}

