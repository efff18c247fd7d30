// One JavaScript session: from boot, reset() or load() until the next of those or power loss.
// Builds the stripped vm realm, installs Espruino's globals and modules, runs the boot files in
// Espruino's order, and carries out reset/load/save/reboot after the event that asked for them.
import type { TelnetConsole } from './telnet';
import type { BoardProfile } from './boards';
import type { StorageFs } from './storage-fs';
import type { PinHardware } from './pins';
import type { Repl } from './repl';
import type { Power, StationSink } from './power';
import type { DeviceTiming } from './timing';
import type { MemoryRoots } from './memory-estimate';
import { estimateMemory, nativeRecords } from './memory-estimate';
import { PowerCutError } from './flash-image';
import { createLifetime } from './lifetime';
import { createRealm, type Realm } from './realm';
import { createRunner, describeError, type Runner } from './js-runner';
import { createTimers } from './timers';
import { installPins } from './pins';
import { createWatches } from './watches';
import { createSocketRegistry, createNetModule } from './net';
import { createTlsModule } from './tls';
import { createStorageModule } from './storage-module';
import { createCryptoModule } from './crypto-module';
import { installModules } from './modules';
import { installGlobals, type GlobalsHost } from './espruino-globals';
import { firstUnrunnableSyntax } from '../build/espruino-syntax';
import { runBootSequence, type StartMode } from './boot-sequence';
import { lastStatement } from './repl-value';
import { lineStart, translateError, uncaughtText } from './uncaught';
import { CATCH_HOOK, instrumentCatches, originalOffset, type Instrumented } from './catch-errors';

type Action = Parameters<GlobalsHost['request']>[0];

export interface SessionDeps {
  board: BoardProfile;
  fs: StorageFs;
  hw: PinHardware;
  power: Power;
  repl: Repl;
  print(text: string): void;
  afterEvent(): void;
  timing: DeviceTiming;
  serial: string;
  mac: string;
  syntaxCheck: boolean;
  restart(mode: StartMode, file?: string): void;
  reboot(): void;
  /** The board's telnet console (ESP8266 builds): its TelnetServer module. */
  telnet?: TelnetConsole;
}

export interface Session extends StationSink {
  readonly starting: boolean;
  /** The JavaScript global object (the REPL names instances of its constructors). */
  readonly global: Record<string, any>;
  start(mode: StartMode, file?: string): void;
  /** soft: a reset/load, so E.on('kill') handlers run first. */
  kill(soft: boolean): void;
  /** Runs a console line; `onValue` gets its REPL value before promise jobs run. */
  runLine(line: string, onValue?: (value: unknown) => void): { ok: boolean; value?: unknown };
  evaluate(code: string): { ok: true; value: unknown } | { ok: false; error?: unknown };
  runDeferred(): void;
  pinName(v: unknown): string | undefined;
  memoryRoots(): MemoryRoots;
  /** timers.ts nextDueAt: when the earliest timer is due (host time), Infinity with none. */
  nextTimerDueAt(): number;
}

export function createSession(d: SessionDeps): Session {
  const { board, fs, power } = d;
  const life = createLifetime();
  let runner: Runner;
  let lastError: unknown;
  let pending: Action | undefined;
  let starting = false;
  const history: string[] = [];
  const realm = createRealm({ queue: (t, fn, args) => runner.queue(t, fn, args), nowMs: () => power.clock.ms() });
  const g = realm.global;
  const guard = (): void => {
    if (!life.alive) throw new PowerCutError();
  };

  let replLine: string | undefined;
  let replRan: Instrumented = { code: '', insertions: [] };
  function report(e: unknown): void {
    lastError = e;
    const engine = translateError(e, (kind) => (g[kind] as { prototype?: object } | undefined)?.prototype);
    const proc = g.process as object | undefined;
    const handlers = proc ? realm.listeners(proc, 'uncaughtException') : [];
    if (handlers.length) {
      runner.call(proc, handlers, [e]);
      return;
    }
    d.print(`Uncaught ${uncaughtText(e, describeError(e), replLine, engine, (line, col) => originalOffset(lineStart(replRan.code, line) + col - 1, replRan.insertions))}`);
  }

  runner = createRunner({
    realm,
    life,
    report,
    afterEvent: d.afterEvent,
    watchdogMs: d.timing.watchdogMs,
    onWatchdog: () => {
      d.print(`\n[simulator] watchdog reset: JavaScript ran ${d.timing.watchdogMs} ms without returning\n`);
      pending = { kind: 'reboot' };
    },
  });
  // what the board had before user code ran: not counted by the memory estimate
  const builtins = new WeakMap<object, Set<string>>();
  function snapshot(root: unknown): void {
    const stack = [root];
    while (stack.length) {
      const o = stack.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || builtins.has(o as object)) continue;
      builtins.set(o as object, new Set(Object.getOwnPropertyNames(o)));
      for (const k of Object.getOwnPropertyNames(o)) {
        const desc = Object.getOwnPropertyDescriptor(o, k);
        if (desc && 'value' in desc) stack.push(desc.value);
      }
      stack.push(Object.getPrototypeOf(o));
    }
  }
  const builtin = <T extends object>(make: () => T) => (): T => {
    const m = make();
    snapshot(m);
    return m;
  };

  const timers = createTimers(realm, life, runner);
  timers.install(g);
  const pins = installPins(g, realm, d.hw, board, life);
  const watches = createWatches({ realm, life, runner, clock: power.clock, timers, hw: d.hw, pins, board, print: d.print });
  watches.install(g);
  const sockets = createSocketRegistry({
    realm,
    life,
    guard,
    online: () => power.station.status === 'connected',
    uncaught: (e) => {
      report(e);
      d.afterEvent();
    },
    tcpTimeoutMs: d.timing.tcpTimeoutMs,
    linkBytesPerSecond: d.timing.linkBytesPerSecond,
  });
  const wifi = power.station.createModule(realm, guard);
  const modules: Record<string, () => object> = {
    Storage: builtin(() => createStorageModule(realm, fs, guard)),
    Wifi: () => wifi,
    net: builtin(() => createNetModule(realm, sockets)),
    crypto: builtin(() => createCryptoModule(realm, board.hashes)),
  };
  if (board.modules.includes('tls')) modules.tls = builtin(() => createTlsModule(realm, sockets));
  const telnet = d.telnet;
  if (telnet && board.modules.includes('TelnetServer')) modules.TelnetServer = builtin(() => telnet.createModule(realm));
  const chipModule = board.name === 'esp8266' ? 'ESP8266' : 'ESP32';
  modules[chipModule] = builtin(() => {
    const m = new realm.R.Object();
    m.reboot = () => pending = { kind: 'reboot' };
    m.getResetInfo = () => realm.data({ reason: 0, exccause: 0, epc1: 0, epc2: 0, epc3: 0, excvaddr: 0, depc: 0 });
    m.logDebug = () => undefined;
    m.setLog = () => undefined;
    return m;
  });
  installModules(g, { realm, board, fs, builtins: modules });
  installGlobals(g, {
    realm,
    board,
    clock: power.clock,
    fs,
    serial: d.serial,
    print: d.print,
    pinName: (v) => pins.name(v),
    guard,
    memory: () => estimateMemory(session.memoryRoots()),
    echo: (on) => d.repl.setEcho(on),
    request: (a) => {
      pending = a;
    },
    history: () => history.join('\n'),
  });
  // catch (e) blocks see Espruino's wording of V8's engine errors (catch-errors.ts)
  Object.defineProperty(g, CATCH_HOOK, {
    value: (e: unknown) => {
      translateError(e, (kind) => (g[kind] as { prototype?: object } | undefined)?.prototype);
      return e;
    },
    enumerable: false,
  });
  snapshot(g);
  snapshot(wifi);

  function checked(code: string, filename: string, onValue?: (value: unknown) => void): { ok: true; value: unknown } | { ok: false } {
    if (d.syntaxCheck) {
      // The build gate's own rules (tools/build/espruino-syntax.ts), less what the board runs anyway.
      const bad = firstUnrunnableSyntax(code);
      if (bad) {
        report(realm.error('SyntaxError', `Espruino ${board.version} cannot run ${bad.construct}: ${bad.message} (${filename}:${bad.line}:${bad.column + 1}, simulator check)`));
        return { ok: false };
      }
    }
    const inst = instrumentCatches(code);
    if (filename === 'REPL') replRan = inst;
    return runner.evaluate(inst.code, filename, onValue);
  }

  function runFile(name: string, filename = name): void {
    const code = fs.read(name);
    if (code) checked(code.toString('latin1'), filename);
  }

  const session: Session = {
    get starting() {
      return starting;
    },
    global: g,
    start(mode, file) {
      starting = true;
      d.repl.setEcho(true);
      try {
        runBootSequence(mode, file, {
          board,
          fs,
          print: d.print,
          runFile,
          echo: () => d.repl.echoOn,
          fireInit() {
            runner.call(g.E, realm.listeners(g.E, 'init'), []);
            if (typeof g.onInit === 'function') {
              if (d.repl.echoOn) d.print('Running onInit()...\n');
              runner.call(undefined, g.onInit, []);
            }
          },
        });
      } finally {
        starting = false;
      }
      d.afterEvent();
    },
    kill(soft) {
      if (!life.alive) return;
      if (soft) runner.call(g.E, realm.listeners(g.E, 'kill'), []);
      life.kill();
    },
    runLine(line, onValue) {
      if (line !== '') history.push(line);
      const last = lastStatement(line);
      const value = (v: unknown): unknown => {
        if (last.kind === 'undefined') return undefined;
        if (last.kind === 'expression') return v;
        try {
          return realm.run(last.name, 'REPL');
        } catch {
          return undefined;
        }
      };
      replLine = line;
      let r: ReturnType<typeof checked>;
      try {
        r = checked(line, 'REPL', onValue && ((v) => onValue(value(v))));
      } finally {
        replLine = undefined;
      }
      return r.ok ? { ok: true, value: value(r.value) } : r;
    },
    evaluate(code) {
      lastError = undefined;
      const r = checked(code, 'host');
      return r.ok ? r : { ok: false, error: lastError };
    },
    runDeferred() {
      const a = pending;
      if (!a || !life.alive) return;
      pending = undefined;
      if (a.kind === 'reset') d.restart('reset');
      else if (a.kind === 'load') d.restart(a.file ? 'loadFile' : 'load', a.file);
      else if (a.kind === 'reboot') d.reboot();
      else {
        // save(): Espruino stores a RAM image; we store the code typed since reset and replay it
        d.print('Compacting Flash...\nCalculating Size...\nWriting...\n');
        fs.erase('.varimg');
        const text = history.filter((l) => !/^\s*save\(\)/.test(l)).join('\n');
        if (text) fs.write('.varimg', Buffer.from(text, 'latin1'));
        d.print('Saved (simulator: console history, replayed at boot)\n');
        runner.call(g.E, realm.listeners(g.E, 'init'), []);
      }
    },
    pinName: (v) => pins.name(v),
    nextTimerDueAt: () => timers.nextDueAt(),
    memoryRoots() {
      const held = [...timers.held(), ...watches.held(), ...sockets.held()];
      return {
        global: g,
        contextName: realm.name,
        builtins,
        held,
        extra: nativeRecords({ timers: timers.count(), watches: watches.count(), sockets: sockets.held().length }),
        total: board.jsVars,
      };
    },
    wifiEvent(event, data) {
      if (life.alive) realm.emit(wifi, event, [realm.data(data)]);
    },
    queue(fn, args) {
      if (life.alive) runner.queue(undefined, fn, args.map((a) => realm.data(a)));
    },
    networkOnline(up) {
      if (up) sockets.resume();
      else sockets.stall();
    },
  };
  return session;
}
