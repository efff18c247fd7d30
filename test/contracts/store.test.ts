// The Store port's contract (firmware/ports.ts), run against every implementation the firmware is
// tested with: the NOR-flash fake the unit tests use, and the simulator's Storage module (the same
// `require("Storage")` the bundle gets on the virtual board). A behaviour the outbox relies on that
// one of them lacks fails here, not as a mystery in an end-to-end test.
import type { Store } from '../../firmware/ports';
import { createFakeStore } from '../support/fake-store';
import { makeDevice, type TestDevice } from '../simulator/helpers';

/** The simulator's Storage as a Store: each call runs on the device, as the firmware's would. */
function simulatorStore(t: TestDevice): Store {
  const q = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  return {
    read: (name) => t.device.evaluate(`require("Storage").read(${q(name)})`) as string | undefined,
    write: (name, data, offset, size) => t.device.evaluate(`require("Storage").write(${q(name)}, ${q(data)}, ${q(offset)}, ${q(size)})`) as boolean,
    erase: (name) => void t.device.evaluate(`require("Storage").erase(${q(name)})`),
  };
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

const implementations: [string, () => { store: Store; close(): Promise<void> }][] = [
  ['the test fake', () => ({ store: createFakeStore(), close: async () => undefined })],
  [
    "the simulator's Storage",
    () => {
      const t = makeDevice();
      t.device.boot();
      return { store: simulatorStore(t), close: () => t.device.close() };
    },
  ],
];

describe.each(implementations)('Store contract: %s', (_name, make) => {
  let store: Store;
  let close: () => Promise<void>;
  beforeEach(() => {
    ({ store, close } = make());
  });
  afterEach(() => close());

  test('a file that was never written reads as undefined', () => {
    expect(store.read('nothing')).toBeUndefined();
  });

  test('a whole-file write reads back byte for byte, every byte value included, and replaces the old file', () => {
    expect(store.write('f', 'old contents')).toBe(true);
    expect(store.write('f', ALL_BYTES)).toBe(true);
    expect(store.read('f')).toBe(ALL_BYTES);
  });

  test('a sized write makes an erased file (0xFF) that later writes fill in place, in any order', () => {
    expect(store.write('log', 'ab', 0, 8)).toBe(true);
    expect(store.read('log')).toBe('ab' + '\xff'.repeat(6));
    expect(store.write('log', 'gh', 6)).toBe(true);
    expect(store.write('log', 'cd', 2)).toBe(true);
    expect(store.read('log')).toBe('abcd\xff\xffgh');
  });

  test('a sized write to an existing file starts it again, erased', () => {
    store.write('log', 'abcd', 0, 4);
    expect(store.write('log', 'x', 0, 3)).toBe(true);
    expect(store.read('log')).toBe('x\xff\xff');
  });

  test('erase removes a file; erasing a missing one is harmless', () => {
    store.write('gone', 'x');
    store.erase('gone');
    expect(store.read('gone')).toBeUndefined();
    expect(() => store.erase('never')).not.toThrow();
  });

  test('names up to 28 characters are kept whole', () => {
    const name = 'n'.repeat(28);
    store.write(name, 'v');
    expect(store.read(name)).toBe('v');
  });
});
