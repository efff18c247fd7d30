// Reconnect delay: exponential backoff with full jitter, uniform in [0, min(cap, base * 2^attempt)).
// It keeps no state and draws no randomness itself: the caller passes the attempt and a random 0..1.

/**
 * Milliseconds to wait before retry number `attempt` (0 = first retry). Whole milliseconds.
 * Full jitter (every delay in the window equally likely) spreads a fleet that lost the broker at the
 * same moment. Doubling stops at the cap, so a huge attempt count costs a few loop turns, never
 * Infinity; `**` is avoided because Espruino 2v29 does not parse it.
 */
export function backoffDelay(attempt: number, random: number, baseMs: number, capMs: number): number {
  let max = baseMs < capMs ? baseMs : capMs;
  // `max > 0` ends the loop for a zero base, which would otherwise spin `attempt` times.
  for (let i = 0; i < attempt && max > 0 && max < capMs; i++) max = max * 2;
  if (max > capMs) max = capMs;
  if (!(max > 0)) return 0; // also catches NaN inputs
  const d = Math.floor((random > 0 ? random : 0) * max);
  return d < max ? d : max - 1; // random = 1 (or more) must stay inside the half-open window
}
