// Waiting in end-to-end tests: by polling a condition with a deadline, never by asserting on time.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 10 ms; rejects with `what()` once `timeoutMs` has passed. */
export async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(10);
  }
}
