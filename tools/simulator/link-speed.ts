// One direction of the device's network link at a fixed speed: what passes through waits until its
// bytes would have crossed a line of that many bytes per second, in order. At 0 it is a wire of no
// delay (the default, so tests stay fast). It models no loss, buffering limit or flow control.
import type { Lifetime } from './lifetime';

export interface LinkDirection {
  /** Runs `deliver` once `bytes` more have crossed the line (at once, in order, when unthrottled). */
  pass(bytes: number, deliver: () => void): void;
}

export function createLinkDirection(bytesPerSecond: number, life: Lifetime): LinkDirection {
  if (!(bytesPerSecond > 0)) return { pass: (_bytes, deliver) => deliver() };
  const queue: { due: number; deliver: () => void }[] = [];
  let freeAt = 0;
  let timer: number | undefined;
  // One timer for the queue's head, so deliveries keep their order whatever the host's timer rounding.
  const pump = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].due <= now) queue.shift()!.deliver();
    if (queue.length) timer = life.after(Math.ceil(queue[0].due - now), pump);
  };
  return {
    pass(bytes, deliver) {
      const now = performance.now();
      freeAt = Math.max(freeAt, now) + (bytes * 1000) / bytesPerSecond;
      queue.push({ due: freeAt, deliver });
      if (timer === undefined) pump();
    },
  };
}
