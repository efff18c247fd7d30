// Reconnect delay: exponential backoff with full jitter, uniform in [0, min(cap, base * 2^attempt)).
// It keeps no state and draws no randomness itself: the caller passes the attempt and a random 0..1.

/**
 * Milliseconds to wait before retry number `attempt` (0 = first retry). Whole milliseconds.
 * Full jitter (every delay in the window equally likely) spreads a fleet that lost the broker at the
 * same moment. Its inputs are trusted: an attempt counter from 0, Math.random() (in [0, 1)), and
 * base and cap from a validated config (positive integers). The exponent stops at 30, past any cap,
 * so a huge attempt count never makes Infinity; `**` is avoided because Espruino 2v29 does not parse it.
 */
export function backoffDelay(attempt: number, random: number, baseMs: number, capMs: number): number {
  return Math.floor(random * Math.min(capMs, baseMs * Math.pow(2, attempt < 30 ? attempt : 30)));
}
