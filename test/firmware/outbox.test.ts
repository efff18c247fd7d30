// The outbox's queue behaviour: order, acks, the bound, TTL, reloads, and what it refuses.
import { createOutbox, Ob } from '../../firmware/core/outbox';
import type { OutboxOptions } from '../../firmware/core/outbox';
import type { Store } from '../../firmware/ports';
import { createFakeClock } from '../support/fake-clock';
import { createFakeStore } from '../support/fake-store';

const opts: OutboxOptions = { max: 50, ttlMs: 24 * 3600_000, file: 'outbox', fileBytes: 4096 };
const HOUR = 3600_000;
const T0 = Date.UTC(2025, 0, 1);

function setup(o: Partial<OutboxOptions> = {}, store: Store = createFakeStore()) {
  const clock = createFakeClock();
  const logs: string[] = [];
  const open = () => createOutbox(store, clock, { ...opts, ...o }, (l) => logs.push(l));
  return { store, clock, logs, open, box: open() };
}

const press = (seq: number) => JSON.stringify({ seq, ts: T0 + seq, g: 'single', dev: 'button-01' });

function drain(box: ReturnType<typeof createOutbox>) {
  const out: { seq: number; payload: string }[] = [];
  for (let e = box(Ob.Peek); e; e = box(Ob.Peek)) {
    out.push(e);
    box(Ob.Ack, e.seq);
  }
  return out;
}

test('delivers events in the order they were added, each with the seq add() returned', () => {
  const { box } = setup();
  expect(box(Ob.Next)).toBe(1);
  const seqs = [1, 2, 3].map((s) => box(Ob.Add, press(s), null));
  expect(seqs).toEqual([1, 2, 3]);
  expect(box(Ob.Depth)).toBe(3);
  expect(drain(box)).toEqual([1, 2, 3].map((s) => ({ seq: s, payload: press(s) })));
  expect(box(Ob.Depth)).toBe(0);
  expect(box(Ob.Peek)).toBeUndefined();
});

test('ack removes the oldest pending event and nothing else', () => {
  const { box } = setup();
  box(Ob.Add, press(1), null);
  box(Ob.Add, press(2), null);
  expect(box(Ob.Peek)).toEqual({ seq: 1, payload: press(1) });
  expect(box(Ob.Peek)).toEqual({ seq: 1, payload: press(1) }); // peek does not consume
  box(Ob.Ack, 1);
  expect(box(Ob.Depth)).toBe(1);
  expect(box(Ob.Peek)).toEqual({ seq: 2, payload: press(2) });
});

test('ignores a duplicate PUBACK and an ack for a seq that is not the oldest pending', () => {
  const { box } = setup();
  for (let s = 1; s <= 3; s++) box(Ob.Add, press(s), null);
  box(Ob.Ack, 1);
  box(Ob.Ack, 1); // duplicate
  box(Ob.Ack, 3); // out of order
  box(Ob.Ack, 99); // never added
  expect(box(Ob.Depth)).toBe(2);
  expect(box(Ob.Peek)!.seq).toBe(2);
  expect(box(Ob.Dropped)).toBe(0);
});

test('the 51st add drops the oldest event and counts it', () => {
  const { box, logs } = setup();
  for (let s = 1; s <= 50; s++) box(Ob.Add, press(s), null);
  expect(box(Ob.Depth)).toBe(50);
  expect(box(Ob.Dropped)).toBe(0);
  expect(box(Ob.Add, press(51), null)).toBe(51);
  expect(box(Ob.Depth)).toBe(50);
  expect(box(Ob.Dropped)).toBe(1);
  expect(logs).toContain('outbox: dropped 1 (full)');
  const got = drain(box);
  expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
  expect(got[49].payload).toBe(press(51));
});

test('drops events older than the TTL by wall clock and keeps events added without wall time', () => {
  const { box, clock } = setup();
  box(Ob.Add, press(1), T0);
  box(Ob.Add, press(2), T0 + HOUR);
  box(Ob.Add, press(3), null); // added before SNTP after a reboot, say
  box(Ob.Add, press(4), T0 + 2 * HOUR);

  // Without a wall clock nothing can be judged old.
  expect(box(Ob.Peek)!.seq).toBe(1);

  clock.setWall(T0 + 24 * HOUR + 30 * 60_000);
  expect(box(Ob.Peek)).toEqual({ seq: 2, payload: press(2) });
  expect(box(Ob.Dropped)).toBe(1);
  expect(box(Ob.Depth)).toBe(3);

  clock.setWall(T0 + 48 * HOUR);
  // 2 expires; 3 has no wall time, so it is kept and still comes first.
  expect(box(Ob.Peek)).toEqual({ seq: 3, payload: press(3) });
  expect(box(Ob.Dropped)).toBe(2);
  box(Ob.Ack, 3);
  // 4 was behind the timeless event; it is judged as soon as it reaches the front.
  expect(box(Ob.Peek)).toBeUndefined();
  expect(box(Ob.Dropped)).toBe(3);
  expect(box(Ob.Depth)).toBe(0);
});

test('survives a reload mid-stream: same pending events, next seq and dropped count', () => {
  const { box, open } = setup({ max: 5 });
  for (let s = 1; s <= 7; s++) box(Ob.Add, press(s), null); // 1 and 2 dropped (full)
  box(Ob.Ack, 3);
  box(Ob.Ack, 4);
  const again = open();
  expect(again(Ob.Next)).toBe(8);
  expect(again(Ob.Depth)).toBe(3);
  expect(again(Ob.Dropped)).toBe(2);
  expect(again(Ob.Add, press(8), null)).toBe(8);
  expect(drain(again).map((e) => [e.seq, e.payload])).toEqual([5, 6, 7, 8].map((s) => [s, press(s)]));
  const third = open();
  expect(third(Ob.Depth)).toBe(0);
  expect(third(Ob.Next)).toBe(9);
  expect(third(Ob.Dropped)).toBe(2);
});

test('keeps the wall time of each event across a reload for the TTL', () => {
  const { box, open, clock } = setup();
  box(Ob.Add, press(1), T0);
  box(Ob.Add, press(2), T0 + 2 * HOUR);
  clock.setWall(T0 + 25 * HOUR);
  const again = open();
  expect(again(Ob.Peek)!.seq).toBe(2);
  expect(again(Ob.Dropped)).toBe(1);
});

test('refuses a payload with a newline or another control byte, and stores nothing', () => {
  const { box, logs, store } = setup();
  expect(box(Ob.Add, '{"a":"x\ny"}', null)).toBe(-1);
  expect(box(Ob.Add, '{"a":"\x01"}', null)).toBe(-1);
  expect(box(Ob.Add, '{"a":"\xff"}', null)).toBe(-1);
  expect(logs.filter((l) => l.includes('control byte'))).toHaveLength(3);
  expect(box(Ob.Depth)).toBe(0);
  expect(box(Ob.Next)).toBe(1);
  expect((store as ReturnType<typeof createFakeStore>).stats.bytesWritten).toBe(0);
});

test('refuses a payload too large for the file without touching the log', () => {
  const { box, logs, open } = setup({ fileBytes: 1024 });
  box(Ob.Add, press(1), null);
  expect(box(Ob.Add, 'x'.repeat(300), null)).toBe(-1);
  expect(logs).toContain('outbox: payload too large: 300');
  expect(box(Ob.Add, press(2), null)).toBe(2);
  expect(drain(open()).map((e) => e.payload)).toEqual([press(1), press(2)]);
});

/**
 * A store whose flash is full while `full` is set: creating a file fails (returns false, or
 * throws as Espruino 2v29 does); writes into an existing pre-sized file still work.
 */
function flakyStore(mode: 'false' | 'throw') {
  const inner = createFakeStore();
  const s = {
    inner,
    full: false,
    read: (n: string) => inner.read(n),
    erase: (n: string) => inner.erase(n),
    write(n: string, d: string, off?: number, size?: number) {
      if (s.full && size !== undefined) {
        if (mode === 'throw') throw new Error('Unable to find or create file');
        return false;
      }
      return inner.write(n, d, off, size);
    },
  };
  return s;
}

test.each(['false', 'throw'] as const)('storage full (write %s) is reported and the event is not stored', (mode) => {
  const store = flakyStore(mode);
  const { box, logs, open } = setup({}, store);
  store.full = true;
  expect(box(Ob.Add, press(1), null)).toBe(-1);
  const why = mode === 'false' ? 'not written' : 'Unable to find or create file';
  expect(logs).toEqual([`outbox: cannot start outbox.0: ${why}`]);
  expect(box(Ob.Depth)).toBe(0);
  expect(box(Ob.Next)).toBe(1);
  store.full = false;
  expect(box(Ob.Add, press(1), null)).toBe(1);
  expect(drain(open()).map((e) => e.seq)).toEqual([1]);
});

test('a failed compaction keeps the old generation and its events', () => {
  const store = flakyStore('throw');
  const { box, open } = setup({ fileBytes: 1024 }, store);
  box(Ob.Add, press(1), null);
  let s = 2;
  // Fill the first file up to one record short of full, so the next add must compact.
  const file = () => store.inner.files.get('outbox.0')!;
  const line = (n: number) => `E${n},,${press(n)}\n`.length;
  while (file().indexOf(0xff) + line(s) <= file().length) box(Ob.Add, press(s++), null);
  expect(store.inner.stats.erases).toBe(0);
  const pending = box(Ob.Depth);
  store.full = true;
  expect(box(Ob.Add, press(s), null)).toBe(-1);
  expect(box(Ob.Depth)).toBe(pending);
  expect([...store.inner.files.keys()]).toEqual(['outbox.0']);
  store.full = false;
  expect(box(Ob.Add, press(s), null)).toBe(s);
  expect(drain(open()).map((e) => e.seq)).toEqual(Array.from({ length: s }, (_, i) => i + 1));
});
