// The persistent outbox: every press goes to flash before it is sent and leaves only after its
// PUBACK, so presses survive outages and reboots, in order. Not a general queue: one reader that
// acks strictly in order; it never sends, never retries, never holds an event in RAM.
//
// Why this shape (the issue asks for the reasoning here):
// - Flash wear and RAM. Events live in an append-only, pre-sized log file (outbox-records.ts)
//   read in place (Storage.read points into flash). Append = one write into erased bytes, no
//   erase. RAM holds seven numbers: generation, first pending seq, next seq, dropped count,
//   append offset, file size, offset of the first pending event. Few functions, since each
//   function object costs RAM and code in flash does not.
// - Acks and drops always take the oldest pending event (the app delivers one at a time, in
//   order; "full" drops the oldest; TTL expiry is judged from the front), so pending is always
//   the seq range [first, next) and one small record per ack is all the bookkeeping needed.
//   An event added without wall time never expires; events behind it wait until it is sent.
// - Compaction, when an append does not fit: a new generation file (the other of two names)
//   gets a header with the numbers, then the pending events one by one, each read back and
//   compared, then a commit line; only then is the old file erased: one erase per file-full.
//   A power cut in between leaves two files; boot takes the newer only if committed. The new
//   file keeps at least fileBytes/2 free, growing past fileBytes when many events are pending
//   (50 presses of ~110 bytes do not fit in 4 KB), so compaction stays rare.
// - A power cut mid-append leaves a prefix of one record without its '\n': boot skips it and
//   closes it with a void mark (outbox-records.ts). A seq whose record was torn is reused, as
//   add() never returned it. Seq never goes back: each generation's header carries `next`.
// - Limits: a record may take at most a quarter of fileBytes; payload bytes below 0x20 and 0xFF
//   are refused (JSON text has none); TTL resolution is 1 s.
import type { Clock, Log, Store } from '../ports';
import { VOID, field, scan } from './outbox-records';

export interface OutboxOptions {
  /** Most pending events kept; adding one more drops the oldest (counted). */
  max: number;
  /** Pending events older than this (by wall clock, when known) are dropped (counted). */
  ttlMs: number;
  /** Base Storage name, at most 26 chars: files are `${file}.0` and `${file}.1`. */
  file: string;
  /** Size of a fresh log file, e.g. 4096. */
  fileBytes: number;
}

export interface Outbox {
  /** Seq the next add() will use. */
  nextSeq(): number;
  /** Stores the event (dropping the oldest if full); its seq, or -1 if it could not be stored. */
  add(payload: string, wallMs: number | null): number;
  /** Oldest pending event, read from flash, after dropping TTL-expired ones. */
  peek(): { seq: number; payload: string } | undefined;
  /** The oldest pending event was delivered; any other seq (duplicate PUBACK) is ignored. */
  ack(seq: number): void;
  depth(): number;
  dropped(): number;
}

export function createOutbox(store: Store, clock: Clock, opts: OutboxOptions, log: Log): Outbox {
  let gen = -1;
  let first = 1;
  let next = 1;
  let drops = 0;
  let end = 0;
  let size = 0; // 0: no log file yet
  let at = 0; // offset of the first pending event's record, or `end` when none is pending

  /**
   * Appends one record. When it does not fit, first starts the next generation holding only
   * the pending events; if that fails the old file stays as it was. Espruino's Storage.write
   * throws (not only returns false) when flash is full: caught here, reported, false returned.
   */
  function put(rec: string): boolean {
    const t = rec + '\n';
    if (end + t.length > size) {
      let old = (size && store.read(opts.file + '.' + (gen & 1))) || '';
      const name = opts.file + '.' + ((gen + 1) & 1);
      const hdr = 'H' + (gen + 1) + ',' + first + ',' + next + ',' + drops + '\n';
      let w = hdr.length;
      for (let p = at, q = old.indexOf('\n', p); q >= 0 && q < end; p = q + 1, q = old.indexOf('\n', p)) w += q + 1 - p;
      const half = Math.floor(opts.fileBytes / 2);
      const sz = w + 2 + t.length + half > opts.fileBytes ? w + 2 + t.length + half : opts.fileBytes;
      w = hdr.length;
      try {
        let ok = store.write(name, hdr, 0, sz) && store.read(name)!.substr(0, w) === hdr;
        // Creating a file may make Espruino compact Storage, moving files: a string from an
        // earlier read() would then point at other bytes. Read the old file again.
        old = (size && store.read(opts.file + '.' + (gen & 1))) || '';
        // Records from `at` on are the pending events, plus acks/drops of none of them.
        for (let p = at, q = old.indexOf('\n', p); ok && q >= 0 && q < end; p = q + 1, q = old.indexOf('\n', p)) {
          if (old.charAt(p) !== 'E' || field(old, p, q, 0) < first) continue;
          const line = old.substring(p, q + 1);
          ok = store.write(name, line, w) && store.read(name)!.substr(w, line.length) === line;
          w += line.length;
        }
        if (!ok || !store.write(name, 'C\n', w)) throw new Error('not written');
      } catch (e) {
        log('outbox: cannot start ' + name + ': ' + ((e as { message?: string }).message || e));
        if (store.read(name) !== undefined) store.erase(name);
        return false;
      }
      if (size) store.erase(opts.file + '.' + (gen & 1));
      at = first < next ? hdr.length : w + 2;
      gen++;
      size = sz;
      end = w + 2;
    }
    try {
      if (store.write(opts.file + '.' + (gen & 1), t, end)) {
        end += t.length;
        return true;
      }
      log('outbox: storage full');
    } catch (e) {
      log('outbox: write: ' + ((e as { message?: string }).message || e));
    }
    end = size; // what is there now is unknown: the next record starts a new generation
    return false;
  }

  /**
   * The pending events up to and including seq s are gone (delivered or dropped): records
   * `rec` (if any) and moves `at` to the new first pending event. Events missing from flash
   * (only flash corruption does that) are counted as lost.
   */
  function advance(s: number, rec: string): void {
    first = s + 1;
    if (rec) put(rec);
    const f = (size && store.read(opts.file + '.' + (gen & 1))) || '';
    for (let q = f.indexOf('\n', at); first < next && q >= 0 && q < end; at = q + 1, q = f.indexOf('\n', at)) {
      const e = f.charAt(at) === 'E' ? field(f, at, q, 0) : -1;
      if (e < first) continue;
      if (e > first) log('outbox: lost ' + (e - first));
      drops += e - first;
      first = e;
      return;
    }
    if (first < next) log('outbox: lost ' + (next - first));
    drops += next - first;
    first = next;
    at = end;
  }

  // Storage cuts longer names silently: both generations would then share one file.
  if (opts.file.length > 26) log('outbox: file name over 26 chars: ' + opts.file);

  // Boot: take the newest committed generation and erase the other file (a compaction cut
  // short, or one finished but not yet cleaned up). With no committed file, keep only the
  // numbers of a torn first one: it never holds the only copy of an event.
  let pick: ReturnType<typeof scan>;
  for (let k = 0; k < 2; k++) {
    const f = store.read(opts.file + '.' + k);
    const st = f === undefined ? undefined : scan(f);
    if (st && (st.gen & 1) === k && (!pick || (st.committed === pick.committed ? st.gen > pick.gen : st.committed))) {
      pick = st;
      size = st.committed ? (f as string).length : 0;
    }
  }
  if (pick) {
    gen = pick.gen;
    first = pick.first;
    next = pick.next;
    drops = pick.dropped;
    end = size ? pick.end : 0;
    at = size ? pick.body : 0;
    pick = undefined; // do not keep it in RAM
  }
  for (let k = 0; k < 2; k++) {
    const name = opts.file + '.' + k;
    if (!(size && (gen & 1) === k) && store.read(name) !== undefined) store.erase(name);
  }
  // A record torn by a power cut: close it off so the next one is not glued to it.
  if (size && store.read(opts.file + '.' + (gen & 1))!.charCodeAt(end - 1) !== 10) put(VOID);
  advance(first - 1, '');

  return {
    nextSeq: () => next,
    add(payload, wallMs) {
      if (/[\x00-\x1f\xff]/.test(payload)) {
        log('outbox: payload has a control byte');
        return -1;
      }
      const rec = 'E' + next + ',' + (wallMs === null ? '' : Math.floor(wallMs / 1000)) + ',' + payload;
      if (rec.length + 1 > opts.fileBytes / 4) {
        log('outbox: payload too large: ' + payload.length);
        return -1;
      }
      if (next - first >= opts.max) {
        log('outbox: dropped 1 (full)');
        drops++;
        advance(first, 'D' + first + ',f');
      }
      if (!put(rec)) return -1;
      return next++;
    },
    peek() {
      const now = clock.wall();
      let f = (size && store.read(opts.file + '.' + (gen & 1))) || '';
      let last = -1;
      const canExpire = now !== null && first < next;
      for (let p = at, q = f.indexOf('\n', p); canExpire && q >= 0 && q < end; p = q + 1, q = f.indexOf('\n', p)) {
        const s = f.charAt(p) === 'E' ? field(f, p, q, 0) : -1;
        if (s < first) continue;
        const w = field(f, p, q, 1);
        if (w < 0 || now - w * 1000 <= opts.ttlMs) break;
        last = s;
      }
      if (last >= 0) {
        log('outbox: dropped ' + (last + 1 - first) + ' expired');
        drops += last + 1 - first;
        advance(last, 'D' + last + ',t');
        f = (size && store.read(opts.file + '.' + (gen & 1))) || '';
      }
      if (first >= next) return undefined;
      return { seq: first, payload: f.substring(f.indexOf(',', f.indexOf(',', at) + 1) + 1, f.indexOf('\n', at)) };
    },
    ack(seq) {
      if (seq === first && first < next) advance(seq, 'A' + seq);
    },
    depth: () => next - first,
    dropped: () => drops,
  };
}
