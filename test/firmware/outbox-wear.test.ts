// Flash wear and compaction: long runs never overwrite written bytes (the fake store would
// throw), erase about once per file-full, and compaction keeps pending events and seqs.
import { createOutbox, Ob } from '../../firmware/core/outbox';
import type { Outbox, OutboxOptions } from '../../firmware/core/outbox';
import { createFakeClock } from '../support/fake-clock';
import { createFakeStore } from '../support/fake-store';

const opts: OutboxOptions = { max: 50, ttlMs: 24 * 3600_000, file: 'outbox', fileBytes: 4096 };
const T0 = Date.UTC(2025, 0, 1);

/** A payload the size the app publishes (about 100 bytes of JSON). */
const press = (seq: number) =>
  JSON.stringify({ seq, ts: T0 + seq * 1000, gesture: 'single', device: 'button-01', up: seq * 7, rssi: -61, v: '0.1.0' });

function setup(o: Partial<OutboxOptions> = {}) {
  const store = createFakeStore();
  const clock = createFakeClock();
  clock.setWall(T0);
  const logs: string[] = [];
  const open = () => createOutbox(store, clock, { ...opts, ...o }, (l) => logs.push(l));
  return { store, clock, logs, open };
}

function drain(box: Outbox) {
  const out: { seq: number; payload: string }[] = [];
  for (let e = box(Ob.Peek); e; e = box(Ob.Peek)) {
    out.push(e);
    box(Ob.Ack, e.seq);
  }
  return out;
}

test('2,000 presses sent and acked never rewrite written flash and erase about once per file-full', () => {
  const { store, clock, logs, open } = setup();
  const box = open();
  const presses = 2000;
  let payloadBytes = 0;
  for (let s = 1; s <= presses; s++) {
    clock.advance(1000);
    const p = press(s);
    payloadBytes += p.length;
    expect(box(Ob.Add, p, clock.wall())).toBe(s);
    expect(box(Ob.Peek)).toEqual({ seq: s, payload: p });
    box(Ob.Ack, s);
  }
  expect(logs).toEqual([]);
  expect(box(Ob.Depth)).toBe(0);
  expect(store.stats.erases).toBeLessThan(presses / 20);
  // Framing and ack records cost little next to the payload itself.
  expect(store.stats.bytesWritten / presses).toBeLessThan(payloadBytes / presses + 30);
  expect(store.files.size).toBe(1);
});

test('bursts of presses during outages, delivered later, keep order and the same wear bound', () => {
  const { store, clock, logs, open } = setup();
  const box = open();
  let s = 0;
  const delivered: number[] = [];
  for (let round = 0; round < 100; round++) {
    const burst = 1 + (round % 30); // up to 30 pending across compactions
    for (let i = 0; i < burst; i++) {
      clock.advance(1000);
      box(Ob.Add, press(++s), clock.wall());
    }
    delivered.push(...drain(box).map((e) => e.seq));
  }
  expect(delivered).toEqual(Array.from({ length: s }, (_, i) => i + 1));
  expect(logs).toEqual([]);
  expect(store.stats.erases).toBeLessThan(s / 20);
});

test('compaction keeps every pending event, its payload and its seq', () => {
  const { store, open } = setup({ fileBytes: 2048 });
  const box = open();
  for (let s = 1; s <= 40; s++) box(Ob.Add, press(s), null);
  for (let s = 1; s <= 10; s++) box(Ob.Ack, s);
  for (let s = 41; s <= 60; s++) box(Ob.Add, press(s), null); // these appends compact with events pending
  expect(store.stats.erases).toBeGreaterThan(0);
  expect(box(Ob.Depth)).toBe(50);
  expect(box(Ob.Dropped)).toBe(0);
  const again = open();
  expect(again(Ob.Next)).toBe(61);
  expect(drain(again)).toEqual(Array.from({ length: 50 }, (_, i) => ({ seq: i + 11, payload: press(i + 11) })));
});

test('a backlog of 50 presses larger than the file grows the next generation instead of losing any', () => {
  const { store, logs, open } = setup();
  const box = open();
  for (let s = 1; s <= 50; s++) expect(box(Ob.Add, press(s), null)).toBe(s);
  expect(50 * press(50).length).toBeGreaterThan(opts.fileBytes);
  expect(logs).toEqual([]);
  expect(box(Ob.Depth)).toBe(50);
  const again = open();
  expect(drain(again).map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  // Once drained, the following compaction returns to the configured size.
  for (let s = 51; s <= 120; s++) {
    again(Ob.Add, press(s), null);
    again(Ob.Ack, s);
  }
  const [file] = [...store.files.values()];
  expect(store.files.size).toBe(1);
  expect(file.length).toBe(opts.fileBytes);
});

test('seq strictly increases across reloads even after every event was acked and the log compacted', () => {
  const { store, open } = setup({ fileBytes: 1024 });
  const seen: number[] = [];
  let box = open();
  for (let round = 0; round < 100; round++) {
    for (let i = 0; i < 1 + (round % 3); i++) seen.push(box(Ob.Add, press(seen.length + 1), null));
    drain(box);
    box = open(); // reboot with nothing pending
    expect(box(Ob.Depth)).toBe(0);
    expect(box(Ob.Next)).toBe(seen[seen.length - 1] + 1);
  }
  expect(store.stats.erases).toBeGreaterThan(5);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
});

test('after an ack that compacts an empty outbox, only the header carries next seq, and it holds', () => {
  const { store, open } = setup({ fileBytes: 1024 });
  const box = open();
  const file = () => [...store.files.values()][0];
  const free = () => file().length - file().indexOf(0xff);
  let n = 0;
  do {
    box(Ob.Add, press(++n), null);
    box(Ob.Ack, n);
  } while (free() > 200);
  // An event that leaves 2 bytes free: its ack ("A<seq>\n") cannot fit and starts a new file.
  n++;
  const pad = free() - 2 - `E${n},,{"p":""}\n`.length;
  box(Ob.Add, `{"p":"${'x'.repeat(pad)}"}`, null);
  expect(free()).toBe(2);
  const erases = store.stats.erases;
  box(Ob.Ack, n);
  expect(store.stats.erases).toBe(erases + 1);
  expect(file().toString('latin1')).not.toContain('\nE');
  const again = open();
  expect(again(Ob.Depth)).toBe(0);
  expect(again(Ob.Next)).toBe(n + 1);
  expect(again(Ob.Add, press(n + 1), null)).toBe(n + 1);
});
