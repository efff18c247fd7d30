// The persistent outbox: every press goes to flash before it is sent and leaves only after its
// PUBACK, so presses survive outages and reboots, in order. Not a general queue: one reader that
// acks strictly in order; it never sends, never retries, never holds an event in RAM.
//
// Why this shape (the issue asks for the reasoning here):
// - Flash wear and RAM. Events live in an append-only, pre-sized log file (format below)
//   read in place (Storage.read points into flash). Append = one write into erased bytes, no
//   erase. RAM holds seven numbers: generation, first pending seq, next seq, dropped count,
//   append offset, file size, offset of the first pending event. One function object (the outbox
//   is called with an op code), since each function object costs RAM and code in flash does not;
//   its helpers are made inside it, per call, and freed when it returns.
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
//   closes it with a void mark (below). A seq whose record was torn is reused, as add() never
//   returned it. Seq never goes back: each generation's header carries `next`.
// - Limits: a record may take at most a quarter of fileBytes; payload bytes below 0x20 and 0xFF
//   are refused (JSON text has none); TTL resolution is 1 s.
//
// The format: newline-framed text records, one line per record, decimal fields, each record
// written by one Storage.write:
//   H<gen>,<first>,<next>,<dropped>  first line of every generation file (state when it was made)
//   E<seq>,<wall s or empty>,<payload>  an event; the payload is the rest of the line
//   A<seq>          delivered (PUBACK): every pending seq up to and including this one
//   D<seq>,<f|t>    dropped (full / ttl): every pending seq up to and including this one
//   C               commit: the header and copied events before it were written and verified
// A line [p, q) counts only once its own '\n' is there (q = f.indexOf('\n', p) below the end of
// the written data). A line ending in VOID (\x01) is dead: a record torn by a power cut, closed
// off at boot so the next record is not glued to it.
// Why \x01: flash programs bits 1->0 only, so a half-written byte keeps every 1-bit of its
// target; \x01 keeps bit 0 and so never reads as '\n' (0x0A), and a torn '\n' never reads as
// '\n'. The outbox refuses payload bytes below 0x20 (none can tear into '\n') and 0xFF (erased
// flash, which marks where the written data ends). VOID is written as String.fromCharCode(1):
// a raw control byte in the source would be fragile, and a module-level constant would stay in RAM.
import type { Clock, Log, Store } from '../ports';

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

/** What the outbox is asked to do. Inlined as numbers by the build. */
export const enum Ob {
  /** The outbox's own, once at creation: take the log over from flash. */
  Boot = -1,
  /** (payload, wallMs or null): stores the event (dropping the oldest if full); its seq, or -1 if it could not be stored. */
  Add,
  /** The oldest pending event, read from flash, after dropping TTL-expired ones; undefined when none. */
  Peek,
  /** (seq): the oldest pending event was delivered; any other seq (duplicate PUBACK) is ignored. */
  Ack,
  /** How many events are pending. */
  Depth,
  /** How many events were dropped (full, expired, lost), ever. */
  Dropped,
  /** The seq the next Add will use. */
  Next,
}

export interface Outbox {
  (op: Ob.Add, payload: string, wallMs: number | null): number;
  (op: Ob.Peek): { seq: number; payload: string } | undefined;
  (op: Ob.Ack, seq: number): void;
  (op: Ob.Depth | Ob.Dropped | Ob.Next): number;
}

/** With `once` (the device's boot, which makes one outbox) the factory frees its own function object. */
export let createOutbox = function (store: Store, clock: Clock, opts: OutboxOptions, log: Log, once?: 1): Outbox {
  if (once) createOutbox = 0 as never; // a top-level function would otherwise stay in RAM for good
  const max = opts.max;
  const ttl = opts.ttlMs;
  const file = opts.file + '.';
  const bytes = opts.fileBytes;
  opts = 0 as never; // Espruino closures keep their whole scope: keep the four values, not the object
  let gen = -1;
  let first = 1;
  let next = 1;
  let drops = 0;
  let end = 0;
  let size = 0; // 0: no log file yet
  let at = 0; // offset of the first pending event's record, or `end` when none is pending

  // The outbox itself (Outbox): one function called with an op. The helpers are made per call.
  // `arg` is Add's payload or Ack's seq; `wallMs` is Add's time.
  function outbox(op: Ob, arg?: any, wallMs?: any): any {
    if (op === Ob.Depth) return next - first;
    if (op === Ob.Dropped) return drops;
    if (op === Ob.Next) return next;
    /** The current generation file, read in place ('' when there is none). */
    const cur = () => (size && store.read(file + (gen & 1))) || '';
    /** Calls fn(p, q) on each complete line [p, q) of f from offset p below `e` on, until fn returns true. */
    const lines = (f: string, p: number, fn: (p: number, q: number) => unknown, e?: number) => {
      for (let q = f.indexOf('\n', p); q >= 0 && q < (e || end) && !fn(p, q); p = q + 1, q = f.indexOf('\n', p));
    };
    /**
     * Field i of the complete, live line [p, q) as a decimal (field 0 starts right after the record
     * letter, fields are split by ','): the number, or -1 if the line is void or the field is
     * missing, empty or not written by us (not canonical digits).
     */
    const field = (f: string, p: number, q: number, i: number): number => {
      const t = f.charCodeAt(q - 1) === 1 ? '' : f.substring(p + 1, q).split(',')[i]; // VOID: nothing
      // parseInt, not +t: Espruino's unary plus gives a Double (2 JsVars kept in the outbox's scope
      // for gen and drops), parseInt an integer (1). Measured on 2v29.
      const n = parseInt(t, 10);
      return String(n) === t ? n : -1;
    };
    const why = (e: any) => (e && e.message) || e;

    /**
     * Appends one record. When it does not fit, first starts the next generation holding only
     * the pending events; if that fails the old file stays as it was. Espruino's Storage.write
     * throws (not only returns false) when flash is full: caught here, reported, false returned.
     */
    const put = (rec: string): boolean => {
      const t = rec + '\n';
      if (end + t.length > size) {
        const name = file + ((gen + 1) & 1);
        const hdr = 'H' + (gen + 1) + ',' + first + ',' + next + ',' + drops + '\n';
        // Everything from `at` to `end` is complete lines: the pending events and records about them.
        const need = hdr.length + end - at + 2 + t.length + (bytes >> 1);
        const sz = need > bytes ? need : bytes;
        let w = hdr.length;
        let no: unknown = 0;
        try {
          let ok = store.write(name, hdr, 0, sz) && store.read(name)!.substr(0, w) === hdr;
          // Creating a file may make Espruino compact Storage, moving files: a string from an
          // earlier read() would then point at other bytes. So the old file is read only now.
          const old = cur();
          // Records from `at` on are the pending events, plus acks/drops of none of them.
          lines(old, at, (p, q) => {
            if (old.charAt(p) !== 'E' || field(old, p, q, 0) < first) return;
            const line = old.substring(p, q + 1);
            ok = store.write(name, line, w) && store.read(name)!.substr(w, line.length) === line;
            w += line.length;
            return !ok;
          });
          if (!ok || !store.write(name, 'C\n', w)) no = 'not written';
        } catch (e) {
          no = why(e);
        }
        if (no) {
          // Not `throw new Error` above: the Error constructor would stay in RAM once used.
          log('outbox: cannot start ' + name + ': ' + no);
          store.erase(name); // erasing a file that is not there does nothing
          return false;
        }
        if (size) store.erase(file + (gen & 1));
        at = first < next ? hdr.length : w + 2;
        gen++;
        size = sz;
        end = w + 2;
      }
      try {
        if (store.write(file + (gen & 1), t, end)) {
          end += t.length;
          return true;
        }
        log('outbox: storage full');
      } catch (e) {
        log('outbox: write: ' + why(e));
      }
      end = size; // what is there now is unknown: the next record starts a new generation
      return false;
    };

    /**
     * The pending events up to and including seq s are gone (delivered or dropped): records
     * `rec` (if any) and moves `at` to the new first pending event. Events missing from flash
     * (only flash corruption does that) are counted as dropped.
     */
    const advance = (s: number, rec: string): void => {
      first = s + 1;
      if (rec) put(rec);
      const f = cur();
      let e = -1;
      lines(f, at, (p, q) => {
        e = f.charAt(p) === 'E' ? field(f, p, q, 0) : -1;
        at = p;
        return e >= first;
      });
      if (e < first) {
        e = next;
        at = end;
      }
      drops += e - first;
      first = e;
    };

    if (op === Ob.Add) {
      // A loop, not a regular expression: the first one run keeps Espruino's RegExp class in RAM (8 JsVars).
      for (let i = 0; i < arg.length; i++) {
        const c = arg.charCodeAt(i);
        if (c < 32 || c === 255) {
          log('outbox: payload has a control byte');
          return -1;
        }
      }
      const rec = 'E' + next + ',' + (wallMs === null ? '' : Math.floor(wallMs / 1000)) + ',' + arg;
      if (rec.length + 1 > bytes / 4) {
        log('outbox: payload too large: ' + arg.length);
        return -1;
      }
      if (next - first >= max) {
        log('outbox: dropped 1 (full)');
        drops++;
        advance(first, 'D' + first + ',f');
      }
      return put(rec) ? next++ : -1;
    }
    if (op === Ob.Ack) {
      if (arg === first && first < next) advance(arg, 'A' + arg);
      return;
    }
    if (op < Ob.Add) {
      // Ob.Boot (here rather than in createOutbox, so what it reads is freed when it returns): take
      // the newest committed generation and erase the other file (a compaction cut short, or one
      // finished but not yet cleaned up). With no committed file, keep only the numbers of a torn
      // first one: it never holds the only copy of an event.
      // Each file is rebuilt from its header, then every complete record in order: acks and drops
      // move `first` (never back, never past `next`), events move `next`. A missing or torn header
      // makes the file worthless.
      let pick: { g: number; f: number; n: number; d: number; e: number; b: number; c: boolean } | undefined;
      for (let k = 0; k < 2; k++) {
        const g = store.read(file + k) || '';
        let e = g.indexOf('\xFF');
        if (e < 0) e = g.length;
        const h = g.indexOf('\n');
        const st = { g: field(g, 0, h, 0), f: field(g, 0, h, 1), n: field(g, 0, h, 2), d: field(g, 0, h, 3), e: e, b: h + 1, c: false };
        if (h < 0 || h >= e || g.charAt(0) !== 'H' || st.g < 0 || st.f < 1 || st.n < st.f || st.d < 0 || (st.g & 1) !== k) continue;
        lines(
          g,
          h + 1,
          (p, q) => {
            const t = g.charAt(p);
            const s = field(g, p, q, 0);
            if (t === 'C' && q === p + 1) st.c = true;
            else if (t === 'E' && s >= st.n) st.n = s + 1;
            else if ((t === 'A' || t === 'D') && s >= st.f && s < st.n) {
              if (t === 'D') st.d += s + 1 - st.f;
              st.f = s + 1;
            }
          },
          e,
        );
        if (!pick || (st.c === pick.c ? st.g > pick.g : st.c)) {
          pick = st;
          size = st.c ? g.length : 0;
        }
      }
      if (pick) {
        gen = pick.g;
        first = pick.f;
        next = pick.n;
        drops = pick.d;
        end = size ? pick.e : 0;
        at = size ? pick.b : 0;
      }
      for (let k = 0; k < 2; k++) if (!(size && (gen & 1) === k) && store.read(file + k) !== undefined) store.erase(file + k);
      // A record torn by a power cut: close it off so the next one is not glued to it.
      if (size && cur().charCodeAt(end - 1) !== 10) put(String.fromCharCode(1)); // VOID, see the format above
      advance(first - 1, '');
      return;
    }
    // Peek: drop what the TTL has expired, judged from the front, then read the first pending event.
    const now = clock.wall();
    let f = cur();
    let last = -1;
    if (now !== null && first < next)
      lines(f, at, (p, q) => {
        const s = f.charAt(p) === 'E' ? field(f, p, q, 0) : -1;
        if (s < first) return;
        const w = field(f, p, q, 1);
        if (w < 0 || now - w * 1000 <= ttl) return true;
        last = s;
      });
    if (last >= 0) {
      log('outbox: dropped ' + (last + 1 - first) + ' expired');
      drops += last + 1 - first;
      advance(last, 'D' + last + ',t');
      f = cur();
    }
    if (first < next) return { seq: first, payload: f.substring(f.indexOf(',', f.indexOf(',', at) + 1) + 1, f.indexOf('\n', at)) };
  }

  outbox(Ob.Boot);
  return outbox;
};
