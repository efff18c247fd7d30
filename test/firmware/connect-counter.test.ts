// The flash-backed connect counter: strictly increasing across reboots and power cuts, with
// one byte written per increment and an erase only when a file fills (NOR rules of the fake).
import { nextConnectCount } from '../../firmware/core/connect-counter';
import { createFakeStore, type FakeStore } from '../support/fake-store';
import type { Store } from '../../firmware/ports';

class PowerCut extends Error {}

/** A view with the old shape: each next() is one nextConnectCount call, as the device makes per connect. */
const createConnectCounter = (store: Store, name: string, slots?: number) => ({ next: () => nextConnectCount(store, name, slots) });

/**
 * A store that lets `budget` operations through, then loses power: the cut operation may take
 * effect partly (a file created with only the first `torn` bytes of its data written), and
 * every later operation fails as the device is dead.
 */
function cuttingStore(inner: FakeStore, budget: number, torn: number): Store {
  let left = budget;
  return {
    read: (name) => inner.read(name),
    write(name, data, offset, size) {
      if (left-- > 0) return inner.write(name, data, offset, size);
      if (left === -1 && size !== undefined && torn > 0) inner.write(name, data.slice(0, torn), offset, size);
      throw new PowerCut('power cut');
    },
    erase(name) {
      if (left-- > 0) return inner.erase(name);
      throw new PowerCut('power cut');
    },
  };
}

describe('connect counter', () => {
  test('starts at 1 and counts up by one', () => {
    const c = createConnectCounter(createFakeStore(), 'cc');
    expect([c.next(), c.next(), c.next()]).toEqual([1, 2, 3]);
  });

  test('persists each value before returning it: a new counter on the same flash continues', () => {
    const store = createFakeStore();
    const a = createConnectCounter(store, 'cc');
    for (let i = 0; i < 5; i++) a.next();
    expect(createConnectCounter(store, 'cc').next()).toBe(6);
  });

  test('writes one byte per increment and erases nothing until the file is full', () => {
    const store = createFakeStore();
    const c = createConnectCounter(store, 'cc', 100);
    c.next(); // creates the file
    const written = store.stats.bytesWritten;
    for (let i = 0; i < 50; i++) c.next();
    expect(store.stats.bytesWritten - written).toBe(50);
    expect(store.stats.erases).toBe(0);
  });

  test('rolls over to the other file when full and keeps counting, across many rollovers', () => {
    const store = createFakeStore();
    const c = createConnectCounter(store, 'cc', 8);
    for (let i = 1; i <= 100; i++) expect(c.next()).toBe(i);
    // One live file at a time once a rollover completes.
    expect([...store.files.keys()].length).toBe(1);
    expect(createConnectCounter(store, 'cc', 8).next()).toBe(101);
  });

  test('default size keeps the file at 256 bytes with a short name', () => {
    const store = createFakeStore();
    createConnectCounter(store, 'gwcount').next();
    expect(store.files.get('gwcounta')!.length).toBe(256);
  });

  test('after a power cut at any step (including mid-rollover and torn creates) the next value is higher than any returned', () => {
    for (const torn of [0, 1, 8, 12, 15]) {
      for (let budget = 0; budget < 40; budget++) {
        const flash = createFakeStore();
        const c = createConnectCounter(cuttingStore(flash, budget, torn), 'cc', 4);
        let last = 0;
        for (;;) {
          const v = c.next();
          if (v < 0) break; // the cut surfaced as a failed write
          expect(v).toBeGreaterThan(last);
          last = v;
        }
        // Reboot on the same flash: strictly higher, and it keeps increasing through rollovers.
        const after = createConnectCounter(flash, 'cc', 4);
        let prev = last;
        for (let i = 0; i < 12; i++) {
          const v = after.next();
          expect(v).toBeGreaterThan(prev);
          prev = v;
        }
      }
    }
  });

  test('a stale full file left by a cut mid-rollover loses to its successor', () => {
    const flash = createFakeStore();
    const c = createConnectCounter(flash, 'cc', 2);
    expect([c.next(), c.next(), c.next()]).toEqual([1, 2, 3]); // cca: base 1, both slots used
    // The successor (base 4) was written, then power failed before the full file was erased.
    flash.write('ccb', '00000004' + '00000004', 0, 18);
    expect(flash.files.size).toBe(2);
    expect(createConnectCounter(flash, 'cc', 2).next()).toBe(5);
  });

  test('returns -1 instead of throwing when flash refuses the write', () => {
    const store: Store = { read: () => undefined, write: () => false, erase: () => {} };
    expect(createConnectCounter(store, 'cc').next()).toBe(-1);
    const throwing: Store = { read: () => undefined, write: () => { throw new Error('flash'); }, erase: () => {} };
    expect(createConnectCounter(throwing, 'cc').next()).toBe(-1);
  });

  test('an erased (all 0xFF) or garbled header is not taken for a valid file', () => {
    const flash = createFakeStore();
    flash.files.set('cca', Buffer.alloc(32, 0xff));
    flash.files.set('ccb', Buffer.from('0000000500000006' + '\xff'.repeat(4), 'latin1'));
    expect(createConnectCounter(flash, 'cc', 4).next()).toBe(1);
  });
});
