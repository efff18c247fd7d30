// A strictly increasing counter kept in flash with one byte written per increment and no
// erase until a file fills. It does not cache anything in RAM, and it cannot recover if
// flash corruption destroys both files (it restarts at 1; the gateway then refuses it).
//
// Layout of each file (`<name>a`, `<name>b`): a 16-byte header, the base value as 8 hex
// digits written twice (a torn or erased header does not read back as valid), then `slots`
// bytes that start erased (0xFF); each increment programs the next one. Value = base + used.
// When a file is full the other name is created with base = value + 1, then the full one is
// erased; at boot the valid file with the higher value wins, so a power cut between those
// two steps (or during either) never yields a value that was already handed out.
import type { Store } from '../ports';

const HEADER = 16;

export interface ConnectCounter {
  /** The next value, already persisted; -1 if flash could not be written. */
  next(): number;
}

function hex8(v: number): string {
  return ('0000000' + v.toString(16)).slice(-8);
}

// Set by value(): slots used and slots in the file it last looked at. Module-level so that no
// counter carries them (or the helpers below) in its closure.
let used = 0;
let room = 0;

// The file's value, or -1 when it is missing or its header is not intact.
function value(store: Store, file: string): number {
  const s = store.read(file);
  if (!s || s.length <= HEADER) return -1;
  const h = s.slice(0, 8);
  const base = parseInt(h, 16);
  if (hex8(base) !== h || s.slice(8, 16) !== h) return -1;
  // Used slots form a prefix (they are written in order), so search for the first erased one.
  let lo = 0;
  let hi = s.length - HEADER;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.charCodeAt(HEADER + mid) === 255) hi = mid;
    else lo = mid + 1;
  }
  used = lo;
  room = s.length - HEADER;
  return base + lo;
}

function create(store: Store, file: string, base: number, size: number): number {
  const h = hex8(base);
  return store.write(file, h + h, 0, size) ? base : -1;
}

/** `name` is at most 27 characters (one is added); `slots` defaults to 240 (a 256-byte file). */
export function createConnectCounter(store: Store, name: string, slots?: number): ConnectCounter {
  const size = HEADER + (slots || 240);
  return {
    next: function () {
      const na = name + 'a';
      const nb = name + 'b';
      try {
        const va = value(store, na);
        const ua = used;
        const ra = room;
        const vb = value(store, nb);
        if (va < 0 && vb < 0) return create(store, na, 1, size);
        const useA = va >= vb;
        const cur = useA ? na : nb;
        const u = useA ? ua : used;
        const v = useA ? va : vb;
        if (u < (useA ? ra : room)) return store.write(cur, '\x00', HEADER + u) ? v + 1 : -1;
        // Full: write the successor first, erase the old one only once the new one exists.
        const nv = create(store, useA ? nb : na, v + 1, size);
        if (nv > 0) store.erase(cur);
        return nv;
      } catch (e) {
        return -1;
      }
    },
  };
}
