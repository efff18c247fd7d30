// Byte-level mutations for fuzzing: flips, interesting values, inserts, deletes, duplicated and
// truncated runs, and Remaining Length bytes pushed to their extremes. Strings here hold one byte
// per char, as on the device. It knows nothing about what the bytes mean.
import type { Rng } from './rng';

/** Values that tend to break length and flag handling. */
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff, 0x10, 0x20, 0x30, 0x40, 0xd0];

export function randomBytes(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256));
  return s;
}

/** One random mutation of `s` (which may be empty). */
export function mutateOnce(r: Rng, s: string): string {
  const at = s.length ? r.int(s.length) : 0;
  const ch = (n: number) => String.fromCharCode(n & 255);
  switch (r.int(9)) {
    case 0: // flip one bit
      return s.length ? s.slice(0, at) + ch(s.charCodeAt(at) ^ (1 << r.int(8))) + s.slice(at + 1) : ch(1 << r.int(8));
    case 1: // an interesting byte
      return s.slice(0, at) + ch(r.pick(INTERESTING)) + s.slice(at + 1);
    case 2: // insert random bytes
      return s.slice(0, at) + randomBytes(r, r.range(1, 8)) + s.slice(at);
    case 3: // delete a run
      return s.slice(0, at) + s.slice(at + r.range(1, 8));
    case 4: // duplicate a run
      return s.slice(0, at) + s.slice(at, at + r.range(1, 16)) + s.slice(at);
    case 5: // cut short
      return s.slice(0, at);
    case 6: // a Remaining Length at its limits: huge, or with a fifth continuation byte [MQTT-2.2.3]
      return s.slice(0, at) + r.pick(['\xff\xff\xff\x7f', '\xff\xff\xff\xff\x01', '\x80\x80\x80\x80', '\x00', '\x7f']) + s.slice(at);
    case 7: // swap two bytes
      if (s.length < 2) return s + ch(r.int(256));
      {
        const b = r.int(s.length);
        const a = s.split('');
        const t = a[at];
        a[at] = a[b];
        a[b] = t;
        return a.join('');
      }
    default: // append random bytes
      return s + randomBytes(r, r.range(1, 16));
  }
}

export function mutate(r: Rng, s: string, times: number): string {
  for (let i = 0; i < times; i++) s = mutateOnce(r, s);
  return s;
}

/** Splits `s` into 1..max random chunks (a TCP stream's arbitrary boundaries). */
export function chunk(r: Rng, s: string, max: number): string[] {
  const n = r.range(1, max);
  const cuts = new Set<number>();
  for (let i = 1; i < n && s.length > 1; i++) cuts.add(1 + r.int(s.length - 1));
  const at = [...cuts].sort((a, b) => a - b);
  const out: string[] = [];
  let p = 0;
  for (const c of at) {
    out.push(s.slice(p, c));
    p = c;
  }
  out.push(s.slice(p));
  return out;
}
