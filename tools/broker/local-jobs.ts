// An in-memory AWS IoT Jobs store: CreateJob/DescribeJobExecution/ListJobExecutionsForJob/CancelJob
// for the control plane (LocalJobs), and StartNextPendingJobExecution/UpdateJobExecution/Describe
// for the things (served over MQTT by jobs-mqtt.ts). It keeps AWS's rules the executors rely on;
// it has no job timeouts, rollouts, thing groups, persistence or job-level status.
import type { JobExecutionStatus, LocalCreateJob, LocalJobExecution, LocalJobs } from './local-jobs-api';
import { JOB_DOCUMENT_LIMIT } from '../ota/job-document';

/** What an executor's UpdateJobExecution may ask (its MQTT request payload, less clientToken). */
export interface ExecutionUpdate {
  status?: unknown;
  statusDetails?: unknown;
  expectedVersion?: unknown;
  executionNumber?: unknown;
}

/** AWS's ErrorResponse codes for the Jobs device API. */
export type JobsErrorCode = 'InvalidRequest' | 'InvalidStateTransition' | 'ResourceNotFound' | 'VersionMismatch' | 'TerminalStateReached';

export type JobsAnswer<T> = { ok: true; value: T } | { ok: false; code: JobsErrorCode; message: string; execution?: LocalJobExecution };

export interface LocalJobsStore extends LocalJobs {
  /** The thing's next pending execution (IN_PROGRESS before QUEUED, then oldest first), like DescribeJobExecution $next. */
  next(thing: string): LocalJobExecution | undefined;
  /** StartNextPendingJobExecution: the next pending execution, a QUEUED one turned IN_PROGRESS; undefined when none. */
  startNext(thing: string, statusDetails?: unknown): JobsAnswer<LocalJobExecution | undefined>;
  update(thing: string, jobId: string, u: ExecutionUpdate): JobsAnswer<LocalJobExecution>;
  /** The pending executions of a thing, in AWS's order (GetPendingJobExecutions). */
  pending(thing: string): LocalJobExecution[];
  /** The job's document text. */
  document(jobId: string): string | undefined;
  /** Called whenever a thing's next pending execution becomes another one (or none): AWS's NextNotification. */
  onNextChanged(fn: (thing: string, next: LocalJobExecution | undefined) => void): () => void;
}

const TERMINAL: JobExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED'];
export const isTerminal = (s: JobExecutionStatus) => TERMINAL.includes(s);
/** What an executor may set with UpdateJobExecution (API_iot-jobs-data_UpdateJobExecution). */
const SETTABLE = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'];
const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
// DetailsMap: keys [a-zA-Z0-9:_-]+ (1..128), values without control characters (1..1024).
const DETAIL_KEY = /^[a-zA-Z0-9:_-]{1,128}$/;
// eslint-disable-next-line no-control-regex
const DETAIL_VALUE = /^[^\u0000-\u001f\u007f-\u009f]{1,1024}$/;

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** A thing's name from a CreateJob target: its ARN (…:thing/<name>) or the name itself. */
export function thingOfTarget(target: string): string {
  const m = /^arn:[^:]+:iot:[^:]*:[^:]*:thing\/(.+)$/.exec(target);
  return m ? m[1] : target;
}

function checkDetails(d: unknown): string | undefined {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return 'statusDetails must be an object of strings';
  for (const [k, v] of Object.entries(d)) {
    if (!DETAIL_KEY.test(k)) return `statusDetails key "${k}" must match [a-zA-Z0-9:_-]+`;
    if (typeof v !== 'string' || !DETAIL_VALUE.test(v)) return `statusDetails.${k} must be a string of 1 to 1024 characters without control characters`;
  }
  return undefined;
}

export function createLocalJobs(o: { region?: string; account?: string; now?: () => Date } = {}): LocalJobsStore {
  const now = o.now ?? (() => new Date());
  const arn = (kind: string, name: string) => `arn:aws:iot:${o.region ?? 'us-east-1'}:${o.account ?? '123456789012'}:${kind}/${name}`;
  const jobs = new Map<string, { document: string; executions: LocalJobExecution[] }>();
  const byThing = new Map<string, LocalJobExecution[]>(); // creation order
  const executionNumbers = new Map<string, number>();
  const listeners = new Set<(thing: string, next: LocalJobExecution | undefined) => void>();
  const copy = (e: LocalJobExecution): LocalJobExecution => ({ ...e, statusDetails: { ...e.statusDetails } });

  const pendingOf = (thing: string) => {
    const all = (byThing.get(thing) ?? []).filter((e) => !isTerminal(e.status));
    // IN_PROGRESS before QUEUED, then by the time queued (a stable sort keeps creation order).
    return [...all.filter((e) => e.status === 'IN_PROGRESS'), ...all.filter((e) => e.status === 'QUEUED')];
  };
  /** Runs a change and tells the listeners of every thing whose next execution became another one. */
  function changing<T>(things: string[], change: () => T): T {
    const before = new Map(things.map((t) => [t, pendingOf(t)[0]?.jobId]));
    const result = change();
    for (const [t, was] of before) {
      const next = pendingOf(t)[0];
      if (next?.jobId !== was) for (const fn of listeners) fn(t, next && copy(next));
    }
    return result;
  }
  const touch = (e: LocalJobExecution, status: JobExecutionStatus) => {
    e.status = status;
    e.versionNumber++;
    e.lastUpdatedAt = now();
  };
  const find = (thing: string, jobId: string) => (byThing.get(thing) ?? []).find((e) => e.jobId === jobId);

  return {
    createJob(input: LocalCreateJob) {
      if (!JOB_ID.test(input.jobId)) throw awsError('InvalidRequestException', 'jobId must be 1 to 64 of [a-zA-Z0-9_-]');
      if (jobs.has(input.jobId)) throw awsError('ResourceAlreadyExistsException', `Job ${input.jobId} already exists`);
      if (Buffer.byteLength(input.document, 'utf8') > JOB_DOCUMENT_LIMIT) throw awsError('InvalidRequestException', `the job document is over ${JOB_DOCUMENT_LIMIT} bytes`);
      try {
        JSON.parse(input.document);
      } catch {
        throw awsError('InvalidRequestException', 'the job document is not JSON');
      }
      const things = [...new Set(input.targets.map(thingOfTarget))];
      if (!things.length) throw awsError('InvalidRequestException', 'a job needs at least one target');
      const at = now();
      const executions = things.map((thingName) => {
        const executionNumber = (executionNumbers.get(thingName) ?? 0) + 1;
        executionNumbers.set(thingName, executionNumber);
        return { jobId: input.jobId, thingName, status: 'QUEUED' as const, statusDetails: {}, versionNumber: 1, executionNumber, queuedAt: at, lastUpdatedAt: at };
      });
      changing(things, () => {
        jobs.set(input.jobId, { document: input.document, executions });
        for (const e of executions) byThing.set(e.thingName, [...(byThing.get(e.thingName) ?? []), e]);
      });
      return { jobId: input.jobId, jobArn: arn('job', input.jobId) };
    },
    describeJobExecution(jobId, thingName) {
      const e = find(thingName, jobId);
      return e && copy(e);
    },
    listJobExecutionsForJob(jobId) {
      const job = jobs.get(jobId);
      if (!job) throw awsError('ResourceNotFoundException', `Job ${jobId} does not exist`);
      return job.executions.map(copy);
    },
    cancelJob(jobId, force = false) {
      const job = jobs.get(jobId);
      if (!job) throw awsError('ResourceNotFoundException', `Job ${jobId} does not exist`);
      changing(
        job.executions.map((e) => e.thingName),
        () => {
          for (const e of job.executions) if (e.status === 'QUEUED' || (force && e.status === 'IN_PROGRESS')) touch(e, 'CANCELED');
        },
      );
    },
    next: (thing) => {
      const n = pendingOf(thing)[0];
      return n && copy(n);
    },
    pending: (thing) => pendingOf(thing).map(copy),
    document: (jobId) => jobs.get(jobId)?.document,
    startNext(thing, statusDetails) {
      if (statusDetails !== undefined) {
        const bad = checkDetails(statusDetails);
        if (bad) return { ok: false, code: 'InvalidRequest', message: bad };
      }
      const e = pendingOf(thing)[0];
      if (!e) return { ok: true, value: undefined };
      if (e.status === 'QUEUED') {
        // The next stays the same execution: no NextNotification for this change.
        touch(e, 'IN_PROGRESS');
        if (statusDetails !== undefined) e.statusDetails = { ...(statusDetails as Record<string, string>) };
      }
      return { ok: true, value: copy(e) };
    },
    update(thing, jobId, u) {
      const e = find(thing, jobId);
      if (!e) return { ok: false, code: 'ResourceNotFound', message: `no execution of job ${jobId} for ${thing}` };
      if (typeof u.status !== 'string' || !SETTABLE.includes(u.status)) return { ok: false, code: 'InvalidRequest', message: `status must be one of ${SETTABLE.join(', ')}` };
      if (u.statusDetails !== undefined) {
        const bad = checkDetails(u.statusDetails);
        if (bad) return { ok: false, code: 'InvalidRequest', message: bad };
      }
      if (u.executionNumber !== undefined && u.executionNumber !== e.executionNumber) return { ok: false, code: 'ResourceNotFound', message: `no execution number ${String(u.executionNumber)} of job ${jobId} for ${thing}` };
      if (u.expectedVersion !== undefined && u.expectedVersion !== e.versionNumber) return { ok: false, code: 'VersionMismatch', message: `expected version ${String(u.expectedVersion)}, the execution is at ${e.versionNumber}`, execution: copy(e) };
      if (isTerminal(e.status)) return { ok: false, code: 'InvalidStateTransition', message: `the execution is ${e.status} already`, execution: copy(e) };
      changing([thing], () => {
        touch(e, u.status as JobExecutionStatus);
        if (u.statusDetails !== undefined) e.statusDetails = { ...(u.statusDetails as Record<string, string>) };
      });
      return { ok: true, value: copy(e) };
    },
    onNextChanged(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
