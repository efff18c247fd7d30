// A device model for update tests, in Node: Storage with Espruino's write rules on NOR flash, the
// real loader source (evaluated as the device would, its eval reporting which slot it ran) and the
// real receiver (firmware/ota/receiver.ts) behind a fake MQTT client. No simulator, no sockets.
import { createHmac } from 'node:crypto';
import { crc32 } from '../../tools/device/crc32';
import { loaderSource } from '../../firmware/ota/loader-source';
import { createReceiver, Rx, type OtaStore, type Receiver } from '../../firmware/ota/receiver';
import type { MqttClient } from '../../firmware/core/mqtt/client';
import type { OtaLink } from '../../tools/ota/send-update';

export type Files = Map<string, Buffer>;
export type Op = { name: string; erase?: true; data?: Buffer; offset?: number; size?: number };

/** Storage as 2v29 behaves (probed): offset 0 or none replaces the file, size pre-sizes it erased, an offset write fills erased bytes. */
export function createFlashStore(files: Files = new Map(), capacity = 200000): OtaStore & { files: Files; ops: Op[]; room(): number } {
  const ops: Op[] = [];
  const used = () => [...files.values()].reduce((a, b) => a + b.length + 32, 0);
  return {
    files,
    ops,
    room: () => capacity - used(),
    read(name, offset = 0, length) {
      const f = files.get(name);
      if (!f) return undefined;
      return f.subarray(offset, length ? offset + length : undefined).toString('latin1');
    },
    write(name, data, offset, size) {
      const d = Buffer.from(data, 'latin1');
      if (!offset) {
        const total = size ?? d.length;
        if (d.length > total) throw new Error('Too much data for file size');
        if (total + 32 > capacity - used() + (files.get(name)?.length ?? -32) + 32) throw new Error('Unable to find or create file');
        ops.push({ name, data: d, offset: 0, size: total });
        const f = Buffer.alloc(total, 0xff);
        d.copy(f);
        files.set(name, f);
        return true;
      }
      const f = files.get(name);
      if (!f) throw new Error('Unable to find or create file');
      if (offset + d.length > f.length) throw new Error('Too much data for file size');
      ops.push({ name, data: d, offset });
      for (let i = 0; i < d.length; i++) f[offset + i] &= d[i]; // NOR: bits only go 1 -> 0
      return true;
    },
    erase(name) {
      ops.push({ name, erase: true });
      files.delete(name);
    },
  };
}

const compiled: Record<number, Function> = {};

/** Runs the loader on these files: which slot file it evaluated (or none), what it printed, whether it armed load(). */
export function runLoader(store: OtaStore, deadlineMs = 1000): { ran?: string; lines: string[]; reloads: number } {
  const out = { ran: undefined as string | undefined, lines: [] as string[], reloads: 0 };
  const timers: (() => void)[] = [];
  const fn = (compiled[deadlineMs] ??= new Function('require', 'print', 'setTimeout', 'load', 'eval', loaderSource(deadlineMs)));
  fn(
    () => store,
    (s: string) => out.lines.push(s),
    (f: () => void) => timers.push(f),
    () => out.reloads++,
    (code: string) => {
      for (const n of ['fw.a', 'fw.b']) if (code !== undefined && store.read(n) === code) out.ran = n;
      if (code.includes('THROW')) throw new Error('bad firmware');
    },
  );
  for (const t of timers) t(); // the trial deadline, or the reload after a throw
  return out;
}

export const slotText = (bundle: Buffer) => Buffer.concat([Buffer.from('\n'), bundle]);

/** A fake firmware bundle: ASCII, of about `size` bytes, naming its version. */
export function fakeBundle(version: string, size = 3000): Buffer {
  let s = `print("firmware ${version}");`;
  while (s.length < size) s += `/*${version} ${s.length}*/`;
  return Buffer.from(s, 'latin1');
}

export interface BenchDevice {
  store: ReturnType<typeof createFlashStore>;
  secret: string;
  /** The running firmware's version. */
  fw: string;
  rx: Receiver;
  link: OtaLink;
  lines: string[];
  restarts: number;
  /** Timers the receiver armed (the restart after a switch, the time-online proof). */
  timers: (() => void)[];
  /** Power-on: the loader picks a slot; the firmware in it is `versions[slot]`. */
  boot(): string | undefined;
  /** What a firmware that joins Wi-Fi and the broker and gets a PUBACK tells the hook. */
  online(): void;
}

/** A device flashed with `bundle` in slot a (what npm run flash leaves), on a fake broker link. */
export function createBenchDevice(opts: { version: string; bundle: Buffer; secret?: string; capacity?: number }): BenchDevice {
  const store = createFlashStore(new Map(), opts.capacity);
  store.write('fw.a', slotText(opts.bundle).toString('latin1'));
  store.write('.otalog', 'a', 0, 128);
  store.ops.splice(0);
  const handlers: ((p: Buffer) => void)[] = [];
  const prefix = 'devices/bench/';
  const dev: BenchDevice = {
    store,
    secret: opts.secret ?? '',
    fw: opts.version,
    lines: [],
    restarts: 0,
    get timers() {
      return timers;
    },
    rx: undefined as unknown as Receiver,
    link: {
      publish(topic, payload) {
        const text = payload.toString('latin1');
        // The device handles each message in turn, as its event loop does.
        setImmediate(() => dev.rx(Rx.Publish, client, dev.fw, { n: 0, type: 3, id: 0, topic, payload: text }));
      },
      onReply(fn) {
        handlers.push(fn);
        return () => handlers.splice(handlers.indexOf(fn), 1);
      },
    },
    boot() {
      const r = runLoader(store);
      dev.lines.push(...r.lines);
      if (!r.ran) return undefined;
      dev.fw = /firmware ([^"]+)"/.exec(store.read(r.ran)!)![1];
      dev.rx = makeRx();
      return r.ran;
    },
    online() {
      dev.rx(Rx.WifiUp);
      dev.rx(Rx.Up, client, dev.fw);
      dev.rx(Rx.Puback, client, dev.fw);
    },
  };
  const client = ((op: number, topic: string, payload: string) => {
    if (op === 1 && topic === prefix + 'ota/out') for (const h of [...handlers]) setImmediate(() => h(Buffer.from(payload, 'latin1')));
    return 1;
  }) as unknown as MqttClient;
  const timers: (() => void)[] = [];
  function makeRx(): Receiver {
    return createReceiver({
      store,
      room: () => store.room(),
      crc32: (s) => crc32(Buffer.from(s, 'latin1')),
      sha1: (s) => require('node:crypto').createHash('sha1').update(Buffer.from(s, 'latin1')).digest('latin1'),
      log: (l) => dev.lines.push(l),
      restart: () => dev.restarts++,
      // Timers never fire by themselves: a test restarts the device by calling boot().
      after: (_ms, fn) => (timers.push(fn), timers.length),
      cancel: () => {},
      prefix,
      secret: dev.secret,
    });
  }
  dev.rx = makeRx();
  return dev;
}

export const hmacOf = (key: string, msg: string) => createHmac('sha1', key).update(msg).digest('hex');
