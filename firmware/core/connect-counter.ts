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

/**
 * The next value, already persisted; -1 if flash could not be written. `name` is at most 27
 * characters (one is added); `slots` defaults to 240 (a 256-byte file). A plain function, not a
 * counter object: the device asks once per connect and keeps nothing.
 */
export function nextConnectCount(store: Store, name: string, slots?: number): number {
  const size = 16 + (slots || 240); // a 16-byte header, then the slots
  // Digit by digit, not v.toString(16): the first Number method run keeps Espruino's Number class in
  // RAM for good (8 JsVars, measured on 2v29). v is 0..2^32-1.
  const hex8 = (v: number) => {
    let h = '';
    for (let i = 28; i >= 0; i -= 4) h += '0123456789abcdef'.charAt(Math.floor(v / Math.pow(2, i)) % 16); // doubles: exact past 2^31
    return h;
  };
  // [value, slots used, slots in all] of a file, or value -1 when it is missing or its header is
  // not intact. Used slots form a prefix (they are written in order): the first erased byte ends it.
  const value = (file: string): number[] => {
    const s = store.read(file) || '';
    const h = s.slice(0, 8);
    let used = s.indexOf('\xff', 16) - 16;
    if (used < 0) used = s.length - 16;
    return s.length > 16 && hex8(parseInt(h, 16)) === h && s.slice(8, 16) === h ? [parseInt(h, 16) + used, used, s.length - 16] : [-1];
  };
  const create = (file: string, base: number) => (store.write(file, hex8(base) + hex8(base), 0, size) ? base : -1);
  const na = name + 'a';
  const nb = name + 'b';
  try {
    const a = value(na);
    const b = value(nb);
    if (a[0] < 0 && b[0] < 0) return create(na, 1);
    const useA = a[0] >= b[0];
    const c = useA ? a : b;
    const cur = useA ? na : nb;
    if (c[1] < c[2]) return store.write(cur, '\x00', 16 + c[1]) ? c[0] + 1 : -1;
    // Full: write the successor first, erase the old one only once the new one exists.
    const nv = create(useA ? nb : na, c[0] + 1);
    if (nv > 0) store.erase(cur);
    return nv;
  } catch (e) {
    return -1;
  }
}
