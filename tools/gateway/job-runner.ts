// The gateway executes AWS IoT Jobs for its devices, as each thing over the thing's own upstream
// connection: notify-next and StartNextPendingJobExecution find the next execution, readJobDocument
// judges it, device-updates streams it, and UpdateJobExecution reports IN_PROGRESS progress and the
// terminal status only after the device's verdict. One execution at a time per thing, in AWS's order.
// It keeps no state of its own: AWS holds the executions, device-updates the transfer.
import { randomUUID } from 'node:crypto';
import { readJobDocument } from '../ota/job-document';
import { executorFilters, JobsTopic, jobsRoot } from '../ota/jobs-topics';
import type { DeviceUpdates, UpdateProgress, UpdateRecord } from './device-updates';
import type { Upstream } from './upstream';

export interface JobRunnerDeps {
  updates: DeviceUpdates;
  log: (line: string) => void;
  /** At most one IN_PROGRESS progress report per this many ms (default 5 s). */
  progressEveryMs?: number;
  /** How long AWS may take to answer a Jobs request before it is given up (default 10 s). */
  replyTimeoutMs?: number;
}

/** What a thing's upstream session gives the runner: everything AWS sends it goes to onMessage first. */
export interface ThingJobs {
  /** true when the message was a Jobs message for this runner. */
  onMessage(topic: string, payload: Buffer): boolean;
  stop(): void;
}

interface Execution {
  jobId: string;
  versionNumber: number;
  jobDocument?: unknown;
}

type Terminal = 'SUCCEEDED' | 'FAILED' | 'REJECTED';
type Reply = { accepted: boolean; body: Record<string, unknown> };

const terminal = (r: UpdateRecord | undefined): r is UpdateRecord & { state: Terminal } => !!r && r.state !== 'pending' && r.state !== 'running';
// statusDetails values may hold no control characters and at most 1024 characters (AWS's DetailsMap).
// eslint-disable-next-line no-control-regex
const detailValue = (s: string) => (s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 1024) || '-');

export function createJobRunner(d: JobRunnerDeps): { attach(thing: string, up: Pick<Upstream, 'publish' | 'subscribe'>): ThingJobs } {
  const every = d.progressEveryMs ?? 5000;
  const replyMs = d.replyTimeoutMs ?? 10000;

  function attach(thing: string, up: Pick<Upstream, 'publish' | 'subscribe'>): ThingJobs {
    const log = (line: string) => d.log(`jobs of ${thing}: ${line}`);
    const root = jobsRoot(thing);
    const waiting = new Map<string, (r: Reply | undefined) => void>(); // by clientToken
    const cleanups: (() => void)[] = [];
    let stopped = false;
    let busy = false;
    let again = false;

    /** Publishes a Jobs request and resolves with AWS's answer (undefined: none in time, or stopped). */
    function request(topic: string, body: object): Promise<Reply | undefined> {
      if (stopped) return Promise.resolve(undefined);
      const clientToken = randomUUID();
      return new Promise((resolve) => {
        const t = setTimeout(() => finish(undefined), replyMs);
        const finish = (r: Reply | undefined) => {
          clearTimeout(t);
          waiting.delete(clientToken);
          resolve(r);
        };
        waiting.set(clientToken, finish);
        up.publish(topic, Buffer.from(JSON.stringify({ ...body, clientToken })), 1, false).catch(() => finish(undefined));
      });
    }

    let version = 0; // the execution's versionNumber as last seen
    async function report(jobId: string, status: 'IN_PROGRESS' | Terminal, details: Record<string, string>): Promise<boolean> {
      for (let tries = 0; tries < 3 && !stopped; tries++) {
        const r = await request(JobsTopic.update(thing, jobId), { status, statusDetails: details, expectedVersion: version, includeJobExecutionState: true });
        const state = r?.body.executionState as { status?: string; versionNumber?: number } | undefined;
        if (typeof state?.versionNumber === 'number') version = state.versionNumber;
        if (!r) return false; // no answer: the execution stays as it was; start-next hands it back later
        if (r.accepted) return true;
        if (r.body.code !== 'VersionMismatch') {
          log(`AWS refused ${status} for job ${jobId}: ${String(r.body.code)} ${String(r.body.message ?? '')}`);
          return r.body.code === 'InvalidStateTransition'; // terminal already: nothing more to say
        }
      }
      return false;
    }

    /** Executes one execution; true once its terminal status is reported (then the next one may start). */
    async function execute(e: Execution): Promise<boolean> {
      version = e.versionNumber;
      const doc = readJobDocument(e.jobDocument);
      if (!doc.ok) {
        log(`job ${e.jobId} refused: ${doc.why}`);
        return report(e.jobId, 'REJECTED', { detail: detailValue(doc.why) });
      }
      const { job } = doc;
      let rec = d.updates.status(thing);
      // Another update of this device still under way (queued outside Jobs, or a job canceled with
      // force): it ends first, so no transfer is ever replaced and the device is never left between two.
      while (!stopped && rec && !terminal(rec) && rec.job !== e.jobId) {
        log(`job ${e.jobId} waits for the update to ${rec.version} under way`);
        rec = await d.updates.outcome(thing);
      }
      if (stopped) return false;
      let lastSent = 0;
      let reporting = false;
      const stopWatching = d.updates.watch(thing, (p: UpdateProgress) => {
        const now = Date.now();
        const switching = 'state' in p;
        if (reporting || (!switching && now - lastSent < every)) return;
        lastSent = now;
        reporting = true;
        const details: Record<string, string> = switching ? { step: 'switching', version: job.version } : { step: 'sending', version: job.version, sent: String(p.sent), total: String(p.total) };
        void report(e.jobId, 'IN_PROGRESS', details).finally(() => (reporting = false));
      });
      cleanups.push(stopWatching);
      try {
        if (!(rec && rec.job === e.jobId)) log(`job ${e.jobId}: ${job.version} (${job.bundle.length} bytes) for the device`);
        // Queued, or (the same job, handed back after a reconnect) resumed if it is not running.
        if (!terminal(rec) || rec.job !== e.jobId) d.updates.queue(thing, job.bundle, job.version, { allowDowngrade: job.allowDowngrade, job: e.jobId });
        const done = terminal(rec) && rec.job === e.jobId ? rec : await d.updates.outcome(thing);
        if (stopped || !terminal(done)) return false; // reported by the next session's start-next
        while (reporting && !stopped) await new Promise((r) => setTimeout(r, 20));
        // The device's "already running <v>" for the same version: a refusal with nothing to do.
        const detail = done.state === 'REJECTED' && done.detail === `already running ${job.version}` ? `nothing to do: ${done.detail}` : done.detail;
        const ok = await report(e.jobId, done.state, { detail: detailValue(detail), version: job.version });
        if (ok) log(`job ${e.jobId}: ${done.state} (${detail})`);
        return ok;
      } finally {
        stopWatching();
      }
    }

    /** Asks AWS for the next execution, unless one is being executed (then once it ends). */
    async function pull(): Promise<void> {
      if (stopped) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const r = await request(JobsTopic.startNext(thing), {});
          const e = r?.accepted ? (r.body.execution as Execution | undefined) : undefined;
          if (r && !r.accepted) log(`start-next refused: ${String(r.body.code)} ${String(r.body.message ?? '')}`);
          // Once an execution is reported, the next one, if any; a report AWS did not take is
          // retried at the next connection or notify-next, not in a loop here.
          again = e && typeof e.jobId === 'string' ? await execute(e) : again;
        } while (again && !stopped);
      } catch (err) {
        log(`stopped executing jobs: ${(err as Error).message}`);
      } finally {
        busy = false;
      }
    }

    void (async () => {
      const granted = await Promise.all(executorFilters(thing).map((f) => up.subscribe(f, 1).catch(() => 128)));
      if (stopped) return;
      // Without the subscriptions the thing's policy predates Jobs; publishing would make AWS close the connection.
      if (granted.includes(128)) return log('AWS refused the Jobs topics: run aws-setup again to update the thing\'s policy; updates by job are off for it');
      await pull();
    })();

    return {
      onMessage(topic, payload) {
        if (!topic.startsWith(root)) return false;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        } catch {
          return true;
        }
        if (topic === JobsTopic.notifyNext(thing)) {
          if (body.execution) void pull();
          return true;
        }
        const m = /\/(accepted|rejected)$/.exec(topic);
        if (m && typeof body.clientToken === 'string') waiting.get(body.clientToken)?.({ accepted: m[1] === 'accepted', body });
        return true;
      },
      stop() {
        stopped = true;
        for (const c of cleanups.splice(0)) c();
        for (const finish of [...waiting.values()]) finish(undefined);
      },
    };
  }

  return { attach };
}
