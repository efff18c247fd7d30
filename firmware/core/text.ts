// Substring search that is right on Espruino 2v29, whose indexOf/includes/replace with a needle of
// 2+ characters match a needle that merely starts at the end ("abc".indexOf("cd") === 2).
// Finds positions only: no replacing, no regex. Uses single-char indexOf and startsWith, both right.

/**
 * Index of the first `needle` in `hay` at or after `from` (default 0), or -1: String.indexOf's answer.
 */
export function findText(hay: string, needle: string, from?: number): number {
  // Same start as indexOf: NaN and negatives are 0, fractions round down, past the end is the end.
  let i = from === undefined || !(from > 0) ? 0 : Math.floor(from);
  if (i > hay.length) i = hay.length;
  const n = needle.length;
  if (n === 0) return i;
  const first = needle.charAt(0);
  const last = hay.length - n;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    // startsWith checks the length first, so it cannot run off the end as indexOf does.
    if (n === 1 || hay.startsWith(needle, i)) return i;
    i++;
  }
  return -1;
}

/** Whether `needle` occurs in `hay`: String.includes' answer. */
export function hasText(hay: string, needle: string): boolean {
  return findText(hay, needle) >= 0;
}
