// `npm run update -- --wait`: polls the job's executions and prints one line per thing each time
// its state changes (queued, in progress with the executor's %, then the outcome and its detail).
// It ends when every thing is done, at the timeout, or when the user stops it; the job goes on.
import type { Logger } from '../shared/log';
import type { ExecutionState, FirmwareJobs } from './firmware-jobs';

/** AWS IoT's terminal job execution states. */
export const FINAL = new Set(['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED']);

export interface ThingOutcome {
  thing: string;
  status: string;
  detail: string;
}

export interface WaitOptions {
  jobId: string;
  things: string[];
  timeoutMs: number;
  /** Between polls (default 5 s: AWS allows ListJobExecutionsForJob 10 per second per account). */
  pollMs?: number;
  log: Logger;
  /** Resolves when the user stops waiting (Ctrl-C). */
  stop?: Promise<void>;
}

export interface WaitResult {
  outcomes: ThingOutcome[];
  ended: 'done' | 'timeout' | 'stopped';
}

/**
 * The executor's statusDetails as a percentage and a phrase. Both executors (the gateway's job
 * runner, this command for direct boards) report {step, version, sent, total} while they work and
 * {detail, version} at the end; `progress` (a percentage) and any other key are shown as they are.
 */
export function describeDetails(details: Record<string, string>): { progress?: string; detail: string } {
  const { progress, detail, step, version: _version, sent, total, ...rest } = details;
  const pct = progress ?? (sent !== undefined && Number(total) > 0 ? String(Math.floor((Number(sent) * 100) / Number(total))) : undefined);
  const words = [detail ?? step, ...Object.entries(rest).map(([k, v]) => `${k} ${v}`)].filter((w) => w);
  return { progress: pct !== undefined ? pct.replace(/%?$/, '%') : undefined, detail: words.join(', ') };
}

function line(s: ExecutionState): string {
  const d = describeDetails(s.details);
  const label = s.status === 'IN_PROGRESS' ? 'in progress' : s.status === 'QUEUED' ? 'queued' : s.status;
  return `${s.thing}: ${label}${d.progress ? ` ${d.progress}` : ''}${d.detail ? ` (${d.detail})` : ''}`;
}

export async function waitForJob(jobs: Pick<FirmwareJobs, 'executions'>, o: WaitOptions): Promise<WaitResult> {
  const seen = new Map<string, ExecutionState>();
  const printed = new Map<string, string>();
  const deadline = Date.now() + o.timeoutMs;
  let stopped = false;
  void o.stop?.then(() => (stopped = true));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      void o.stop?.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  const outcomes = (): ThingOutcome[] =>
    o.things.map((thing) => {
      const s = seen.get(thing);
      return { thing, status: s?.status ?? 'QUEUED', detail: s ? describeDetails(s.details).detail : '' };
    });

  for (;;) {
    // Details only for what is under way or newly done: a QUEUED execution has none to show.
    const states = await jobs.executions(o.jobId, (thing, status) => status !== 'QUEUED' && !FINAL.has(seen.get(thing)?.status ?? ''));
    for (const s of states) {
      const before = seen.get(s.thing);
      if (before && FINAL.has(before.status)) continue;
      seen.set(s.thing, s);
      const text = line(s);
      if (printed.get(s.thing) !== text) {
        printed.set(s.thing, text);
        if (s.status === 'SUCCEEDED' || !FINAL.has(s.status)) o.log.info(text);
        else o.log.error(text);
      }
    }
    if (o.things.every((t) => FINAL.has(seen.get(t)?.status ?? ''))) return { outcomes: outcomes(), ended: 'done' };
    if (stopped) return { outcomes: outcomes(), ended: 'stopped' };
    if (Date.now() >= deadline) return { outcomes: outcomes(), ended: 'timeout' };
    await pause(Math.min(o.pollMs ?? 5000, Math.max(0, deadline - Date.now())));
  }
}
