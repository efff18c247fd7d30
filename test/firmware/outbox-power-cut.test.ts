// Power cuts: every flash write the outbox makes is replayed cut short at every byte (and with
// the last byte half-programmed, as NOR flash leaves it), then the outbox is rebooted on that
// image. Nothing pending may be lost, nothing acked may come back, seq never goes backwards.
import { createOutbox, Ob } from '../../firmware/core/outbox';
import type { Outbox, OutboxOptions } from '../../firmware/core/outbox';
import type { Store } from '../../firmware/ports';
import { createFakeClock } from '../support/fake-clock';
import type { FakeClock } from '../support/fake-clock';
import { createFakeStore } from '../support/fake-store';
import type { FakeStore } from '../support/fake-store';

const opts: OutboxOptions = { max: 5, ttlMs: 24 * 3600_000, file: 'ob', fileBytes: 1024 };
const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3600_000;
const press = (seq: number) => JSON.stringify({ seq, ts: T0 + seq, g: 'single', dev: 'btn-1' });

type Files = Map<string, Buffer>;
type Op = { name: string; erase?: true; data?: string; offset?: number; size?: number };
type Event = { seq: number; payload: string };

const clone = (files: Files): Files => new Map([...files].map(([n, b]) => [n, Buffer.from(b)]));

/** Wraps a fake store and records every write and erase, in order. */
function recording(inner: FakeStore): { store: Store; ops: Op[] } {
  const ops: Op[] = [];
  return {
    ops,
    store: {
      read: (n) => inner.read(n),
      write(n, d, offset, size) {
        ops.push({ name: n, data: d, offset, size });
        return inner.write(n, d, offset, size);
      },
      erase(n) {
        ops.push({ name: n, erase: true });
        inner.erase(n);
      },
    },
  };
}

/** Applies op to files: the first `k` bytes of a write, then optionally one half-programmed byte. */
function apply(files: Files, op: Op, k = Infinity, half?: number): void {
  if (op.erase) {
    files.delete(op.name);
    return;
  }
  if (op.size !== undefined) files.set(op.name, Buffer.alloc(op.size, 0xff));
  const buf = files.get(op.name)!;
  const bytes = Buffer.from(op.data!, 'latin1');
  const n = Math.min(k, bytes.length);
  bytes.copy(buf, op.offset!, 0, n);
  if (half !== undefined && n < bytes.length) buf[op.offset! + n] = half;
}

/** Bits only go 1 -> 0, so a half-programmed byte keeps every 1-bit of its target, plus some. */
const HALF_MASKS = [0x80, 0x41, 0x0f, 0xf0, 0x3c];

/** Every flash image a power cut during `ops` can leave behind, starting from `before`. */
function* cutImages(before: Files, ops: Op[]): Generator<{ label: string; files: Files }> {
  const base = clone(before);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const len = op.erase ? 1 : Buffer.byteLength(op.data!, 'latin1');
    for (let k = 0; k <= len; k++) {
      const files = clone(base);
      apply(files, op, k);
      yield { label: `op ${i} (${op.erase ? 'erase' : 'write'} ${op.name}) cut at ${k}`, files };
      if (op.erase || k === len) continue;
      const target = Buffer.from(op.data!, 'latin1')[k];
      for (const m of HALF_MASKS) {
        const half = target | m;
        if (half === target || half === 0xff) continue;
        const f2 = clone(base);
        apply(f2, op, k, half);
        yield { label: `op ${i} cut at ${k} with byte 0x${half.toString(16)}`, files: f2 };
      }
    }
    apply(base, op);
  }
}

interface Seen {
  next: number;
  dropped: number;
  depth: number;
  events: Event[];
  logs: string[];
}

/** Boots an outbox on a copy of the image, reads its numbers, then delivers everything. */
function boot(files: Files, clock: FakeClock): Seen {
  const store = createFakeStore();
  for (const [n, b] of files) store.files.set(n, Buffer.from(b));
  const logs: string[] = [];
  const box = createOutbox(store, clock, opts, (l) => logs.push(l));
  const seen = { next: box(Ob.Next), dropped: box(Ob.Dropped), depth: box(Ob.Depth), events: drain(box), logs };
  // The log must still take records after whatever the cut left: add one, reboot, find it.
  const after = box(Ob.Add, '{"after":1}', null);
  expect(after).toBe(box(Ob.Next) - 1);
  expect(after).toBeGreaterThanOrEqual(seen.next);
  const again = createOutbox(store, clock, opts, (l) => logs.push(l));
  expect(again(Ob.Peek)).toEqual({ seq: after, payload: '{"after":1}' });
  expect(again(Ob.Next)).toBe(after + 1);
  return seen;
}

function drain(box: Outbox): Event[] {
  const out: Event[] = [];
  for (let e = box(Ob.Peek); e; e = box(Ob.Peek)) {
    out.push(e);
    box(Ob.Ack, e.seq);
  }
  return out;
}

const key = (e: Event) => `${e.seq}:${e.payload}`;

/**
 * Runs `op` against an outbox built by `setup`, then checks every power-cut image of it:
 * the pending events after reboot are those pending before or after the op (never an event
 * acked earlier, never missing one pending both before and after, payloads intact), and the
 * next seq and dropped count lie between their values before and after the op.
 */
function checkCuts(
  setup: (box: Outbox, store: Store, clock: FakeClock) => void,
  op: (box: Outbox) => void,
  wall: number | null = null,
) {
  const inner = createFakeStore();
  const rec = recording(inner);
  const clock = createFakeClock();
  const box = createOutbox(rec.store, clock, opts, () => {});
  setup(box, rec.store, clock);
  clock.setWall(wall);
  const before = clone(inner.files);
  rec.ops.splice(0);
  op(box);
  const ops = rec.ops.slice();
  const pre = boot(before, clock);
  const post = boot(inner.files, clock);
  const all = new Set([...pre.events, ...post.events].map(key));
  const both = post.events.map(key).filter((k) => pre.events.map(key).includes(k));
  let images = 0;
  let twoFiles = 0;
  for (const { label, files } of cutImages(before, ops)) {
    images++;
    if (files.size === 2) twoFiles++;
    const got = boot(files, clock);
    const keys = got.events.map(key);
    try {
      expect(got.logs.filter((l) => /write|cannot|lost|storage/.test(l))).toEqual([]);
      for (const k of keys) expect(all.has(k)).toBe(true);
      for (const k of both) expect(keys).toContain(k);
      expect(got.next).toBeGreaterThanOrEqual(pre.next);
      expect(got.next).toBeLessThanOrEqual(post.next);
      expect(got.dropped).toBeGreaterThanOrEqual(pre.dropped);
      expect(got.dropped).toBeLessThanOrEqual(post.dropped);
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`);
    }
  }
  return { ops, images, twoFiles, pre, post };
}

/** Pending 4, 5, 6 (1 dropped when full, 2 and 3 acked), next seq 7. */
function history(box: Outbox): void {
  for (let s = 1; s <= 6; s++) box(Ob.Add, press(s), null);
  box(Ob.Ack, 2);
  box(Ob.Ack, 3);
}

/** Presses and acks until the next add no longer fits in the file, leaving `keep` pending. */
function fillFile(box: Outbox, store: Store, keep: number): void {
  const free = () => {
    const f = store.read('ob.0') ?? store.read('ob.1');
    return f === undefined ? 0 : f.length - f.indexOf('\xff');
  };
  for (let s = box(Ob.Next); ; s = box(Ob.Next)) {
    if (box(Ob.Depth) >= keep) box(Ob.Ack, box(Ob.Peek)!.seq);
    if (free() < `E${s},,${press(s)}\n`.length && box(Ob.Depth) > 0) return;
    box(Ob.Add, press(s), null);
  }
}

test('a cut while appending an event keeps every pending event and never reuses an older seq', () => {
  const r = checkCuts(history, (box) => box(Ob.Add, press(7), null));
  expect(r.ops).toHaveLength(1);
  expect(r.pre.events.map((e) => e.seq)).toEqual([4, 5, 6]);
  expect(r.post.events.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
});

test('a cut while appending an ack never brings back an event acked before it', () => {
  const r = checkCuts(history, (box) => box(Ob.Ack, 4));
  expect(r.post.events.map((e) => e.seq)).toEqual([5, 6]);
});

test('a cut while dropping the oldest of a full outbox and appending the new event', () => {
  const r = checkCuts(
    (box) => {
      history(box);
      box(Ob.Add, press(7), null);
      box(Ob.Add, press(8), null);
    },
    (box) => box(Ob.Add, press(9), null),
  );
  expect(r.ops).toHaveLength(2);
  expect(r.post.events.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9]);
  expect(r.post.dropped).toBe(r.pre.dropped + 1);
});

test('a cut while recording TTL drops', () => {
  const r = checkCuts(
    (box) => {
      box(Ob.Add, press(1), T0);
      box(Ob.Add, press(2), T0 + HOUR);
      box(Ob.Add, press(3), T0 + 30 * HOUR);
    },
    (box) => expect(box(Ob.Peek)!.seq).toBe(3),
    T0 + 26 * HOUR,
  );
  expect(r.post.dropped).toBe(2);
});

test('a cut anywhere in a compaction with events pending (two generations, newer incomplete) loses nothing', () => {
  const r = checkCuts(
    (box, store) => fillFile(box, store, 3),
    (box) => box(Ob.Add, press(box(Ob.Next)), null),
  );
  expect(r.ops.filter((o) => o.erase)).toHaveLength(1);
  expect(r.ops.length).toBeGreaterThan(4); // header, 3 copies, commit, erase, append
  expect(r.twoFiles).toBeGreaterThan(100);
  expect(r.pre.events.length).toBeGreaterThanOrEqual(2);
  expect(r.post.events).toHaveLength(r.pre.events.length + 1);
});

test('a cut anywhere in a compaction started by an ack', () => {
  const r = checkCuts(
    (box, store) => {
      fillFile(box, store, 2);
      box(Ob.Add, press(box(Ob.Next)), null); // compacts: a fresh file
      fillFile(box, store, 2);
      const f = (store.read('ob.0') ?? store.read('ob.1'))!;
      // fill the last bytes so the ack's record cannot fit
      const free = f.length - f.indexOf('\xff');
      const s = box(Ob.Next);
      box(Ob.Add, `{"p":"${'x'.repeat(free - `E${s},,{"p":""}\n`.length - 2)}"}`, null);
    },
    (box) => box(Ob.Ack, box(Ob.Peek)!.seq),
  );
  expect(r.ops.filter((o) => o.erase)).toHaveLength(1);
  expect(r.pre.events.length).toBeGreaterThanOrEqual(2);
  expect(r.post.events).toHaveLength(r.pre.events.length - 1);
});

test('a cut while boot closes off a torn record, and again at the next boot', () => {
  // A flash image with an event record torn in the middle of its payload.
  const inner = createFakeStore();
  const rec = recording(inner);
  const clock = createFakeClock();
  history(createOutbox(rec.store, clock, opts, () => {}));
  const before = clone(inner.files);
  rec.ops.splice(0);
  createOutbox(rec.store, clock, opts, () => {})(Ob.Add, press(7), null);
  const torn = clone(before);
  apply(torn, rec.ops[0], 20, 0x7f);

  // Booting on it writes the void mark; cut that write too.
  const store = createFakeStore();
  for (const [n, b] of torn) store.files.set(n, Buffer.from(b));
  const rec2 = recording(store);
  createOutbox(rec2.store, clock, opts, () => {});
  expect(rec2.ops).toEqual([{ name: 'ob.0', data: '\x01\n', offset: expect.any(Number), size: undefined }]);
  for (const { label, files } of cutImages(torn, rec2.ops)) {
    const got = boot(files, clock);
    expect([label, got.events.map((e) => e.seq), got.next]).toEqual([label, [4, 5, 6], 7]);
  }
});
