// The A/B boot log `.otalog`: one pre-sized Storage file, its first byte the proven slot ('a' or
// 'b'), then one byte per event appended into erased flash (never an erase, so a power cut tears at
// most the byte being written). It does not write: the loader and the receiver append.
//
// Records: 'A'/'B' trial of that slot begins (the switch, appended after verification); 't' a boot
// of the trial; 'w' the trial joined Wi-Fi; 'm' it reached the broker; 'x' it threw at boot; 'k'
// proven (the trial becomes the proven slot); 'r' rolled back (3 boots without proof); 'z' the
// outcome was reported. An unknown byte (a torn write) is skipped; the first 0xFF ends the log.

export const LOG_FILE = '.otalog';
/** Room for about four updates before the receiver rewrites it (one erase per few updates). */
export const LOG_BYTES = 128;
/** Boots a trial gets to prove itself. */
export const TRIES = 3;

export interface BootState {
  /** The proven slot, 'a' or 'b'. */
  good: string;
  /** The slot on trial, '' when none. */
  trial: string;
  /** Boots the trial has had. */
  tries: number;
  /** What the last (or current) trial reached: 'x', 'w', 'm' as seen; 'k' proven, 'r' rolled back. */
  seen: string;
  /** The last outcome ('k' or 'r') not yet reported, '' when none. */
  unreported: string;
  /** Where the next record goes; equal to the log's length when it is full. */
  end: number;
}

/** Replays the log. An absent log: slot 'a' proven, nothing on trial. */
export function replayLog(log: string | undefined): BootState {
  const s: BootState = { good: 'a', trial: '', tries: 0, seen: '', unreported: '', end: 0 };
  if (!log) return s;
  if (log[0] === 'b') s.good = 'b';
  let i = 1;
  for (; i < log.length; i++) {
    const c = log[i];
    if (c === '\xff') break;
    if (c === 'A' || c === 'B') {
      s.trial = c === 'A' ? 'a' : 'b';
      s.tries = 0;
      s.seen = s.unreported = '';
    } else if (!s.trial) {
      if (c === 'z') s.unreported = '';
    } else if (c === 't') s.tries++;
    else if (c === 'w' || c === 'm' || c === 'x') s.seen += c;
    else if (c === 'k' || c === 'r') {
      if (c === 'k') s.good = s.trial;
      s.trial = '';
      s.seen += c;
      s.unreported = c;
    }
  }
  s.end = i;
  return s;
}

/** Why a trial was rolled back, from what it reached (BootState.seen). */
export function rollbackReason(seen: string): string {
  if (seen.indexOf('x') >= 0) return 'the new firmware stopped with an error at boot';
  if (seen.indexOf('m') >= 0) return 'the new firmware reached the broker but had no PUBACK in ' + TRIES + ' boots';
  if (seen.indexOf('w') >= 0) return 'the new firmware joined Wi-Fi but never reached the broker in ' + TRIES + ' boots';
  return 'the new firmware never joined Wi-Fi in ' + TRIES + ' boots';
}
