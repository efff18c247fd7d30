// A serial line's speed laid over a fast transport (the simulator's TCP console): each direction
// carries at most `bytesPerSecond` and adds `latencyMs`, so benchmarks and tests see what a
// 115200-baud cable would give. It models no errors, buffering limits or flow control.
import type { Transport } from './link';

export interface LineSpeed {
  /** Per direction; 115200 baud 8N1 = 11,520 bytes/s. */
  bytesPerSecond: number;
  /** Added once per delivery; default one byte time. */
  latencyMs?: number;
}

export interface ThrottledTransport extends Transport {
  /** Bytes that crossed the line so far, each way. */
  readonly stats: { toDevice: number; fromDevice: number };
}

// Bytes are delivered in slices of this size, each when its last byte would have arrived.
const SLICE = 64;

interface Lane {
  send(data: Buffer): void;
  stop(): void;
}

function createLane(speed: LineSpeed, deliver: (d: Buffer) => void): Lane {
  const msPerByte = 1000 / speed.bytesPerSecond;
  const latency = speed.latencyMs ?? msPerByte;
  const queue: { at: number; data: Buffer }[] = [];
  let freeAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function pump(): void {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].at <= now && !stopped) deliver(queue.shift()!.data);
    if (queue.length && !stopped) timer = setTimeout(pump, Math.max(0, queue[0].at - now));
  }

  return {
    send(data) {
      for (let i = 0; i < data.length; i += SLICE) {
        const slice = data.subarray(i, i + SLICE);
        const start = Math.max(performance.now(), freeAt);
        freeAt = start + slice.length * msPerByte;
        queue.push({ at: freeAt + latency, data: slice });
      }
      if (!timer && !stopped) timer = setTimeout(pump, Math.max(0, queue[0].at - performance.now()));
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      queue.splice(0);
    },
  };
}

export function createThrottledTransport(inner: Transport, speed: LineSpeed): ThrottledTransport {
  const stats = { toDevice: 0, fromDevice: 0 };
  let onData: (d: Buffer) => void = () => {};
  const up = createLane(speed, (d) => inner.write(d));
  const down = createLane(speed, (d) => onData(d));
  inner.onData((d) => {
    stats.fromDevice += d.length;
    down.send(d);
  });
  return {
    name: `${inner.name} at ${speed.bytesPerSecond} B/s`,
    stats,
    write(data) {
      const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      stats.toDevice += b.length;
      up.send(b);
    },
    onData(fn) {
      onData = fn;
    },
    onClose(fn) {
      inner.onClose((why) => {
        up.stop();
        down.stop();
        fn(why);
      });
    },
    async close() {
      up.stop();
      down.stop();
      await inner.close();
    },
  };
}
