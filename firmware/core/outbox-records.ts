// The outbox's on-flash format: newline-framed text records, read in place from a Storage
// string, and the scan that rebuilds the outbox's numbers at boot. It never writes.
//
// One line per record, decimal fields, each record written by one Storage.write:
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
// flash, which marks where the written data ends).
// Few functions on purpose: each function object costs device RAM, code in flash does not.

/** Built at run time: a raw control byte in the bundle's source text would be fragile. */
export const VOID = String.fromCharCode(1);

/** What a scan of one generation file found. Temporary: the outbox copies the numbers. */
export interface LogState {
  gen: number;
  first: number;
  next: number;
  dropped: number;
  /** Offset just past the last written byte (erased flash starts here). */
  end: number;
  /** Offset of the line after the header. */
  body: number;
  committed: boolean;
}

/**
 * Field i of the complete, live line [p, q) as a decimal (field 0 starts right after the record
 * letter, fields are split by ','): the number, or -1 if the line is void or the field is
 * missing, empty or not written by us (not canonical digits).
 */
export function field(f: string, p: number, q: number, i: number): number {
  if (f.charCodeAt(q - 1) === 1) return -1; // VOID
  let a = p + 1;
  for (; i > 0; i--) {
    const c = f.indexOf(',', a);
    if (c < 0 || c >= q) return -1;
    a = c + 1;
  }
  let b = f.indexOf(',', a);
  if (b < 0 || b > q) b = q;
  const t = f.substring(a, b);
  const n = parseInt(t, 10);
  return String(n) === t ? n : -1;
}

/**
 * Rebuilds the state from one generation file: the header, then every complete record in
 * order. Acks and drops move `first` (never back, never past `next`); events move `next`.
 * Returns undefined when the header itself is missing or torn.
 */
export function scan(f: string): LogState | undefined {
  let end = f.indexOf('\xFF');
  if (end < 0) end = f.length;
  const h = f.indexOf('\n');
  if (h < 0 || h >= end || f.charAt(0) !== 'H') return undefined;
  const st = {
    gen: field(f, 0, h, 0),
    first: field(f, 0, h, 1),
    next: field(f, 0, h, 2),
    dropped: field(f, 0, h, 3),
    end: end,
    body: h + 1,
    committed: false,
  };
  if (st.gen < 0 || st.first < 1 || st.next < st.first || st.dropped < 0) return undefined;
  for (let p = h + 1, q = f.indexOf('\n', p); q >= 0 && q < end; p = q + 1, q = f.indexOf('\n', p)) {
    const t = f.charAt(p);
    const s = field(f, p, q, 0);
    if (t === 'C' && q === p + 1) st.committed = true;
    else if (t === 'E' && s >= st.next) st.next = s + 1;
    else if ((t === 'A' || t === 'D') && s >= st.first && s < st.next) {
      if (t === 'D') st.dropped += s + 1 - st.first;
      st.first = s + 1;
    }
  }
  return st;
}
