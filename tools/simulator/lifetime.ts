// A lifetime owns host timers and cleanup hooks for one span of device life (a power-on, or one
// JavaScript session between resets); kill() stops them all at once. It does not run device code.

export interface Lifetime {
  readonly alive: boolean;
  /** A host timer that dies with this lifetime. Returns an id for cancel(). */
  after(ms: number, fn: () => void): number;
  /** setImmediate tied to this lifetime. */
  soon(fn: () => void): void;
  cancel(id: number | undefined): void;
  onKill(fn: () => void): void;
  kill(): void;
}

export function createLifetime(): Lifetime {
  let alive = true;
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  const immediates = new Set<NodeJS.Immediate>();
  const hooks: (() => void)[] = [];
  return {
    get alive() {
      return alive;
    },
    after(ms, fn) {
      const id = nextId++;
      if (!alive) return id;
      const t = setTimeout(() => {
        timers.delete(id);
        if (alive) fn();
      }, Math.max(0, ms));
      timers.set(id, t);
      return id;
    },
    soon(fn) {
      if (!alive) return;
      const i = setImmediate(() => {
        immediates.delete(i);
        if (alive) fn();
      });
      immediates.add(i);
    },
    cancel(id) {
      if (id === undefined) return;
      const t = timers.get(id);
      if (t) clearTimeout(t);
      timers.delete(id);
    },
    onKill(fn) {
      if (alive) hooks.push(fn);
      else fn();
    },
    kill() {
      if (!alive) return;
      alive = false;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const i of immediates) clearImmediate(i);
      immediates.clear();
      for (const h of hooks.splice(0)) {
        try {
          h();
        } catch {
          // cleanup must not stop other cleanup
        }
      }
    },
  };
}
