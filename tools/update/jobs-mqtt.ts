// The device side of AWS IoT's Jobs MQTT API, the subset a firmware update needs:
// StartNextPendingJobExecution ($aws/things/<thing>/jobs/start-next) and UpdateJobExecution
// ($aws/things/<thing>/jobs/<jobId>/update), each answered on .../accepted or .../rejected and
// matched by clientToken. It holds no connection: it is given one that can publish and receive.
import { randomBytes } from 'node:crypto';
import { executorFilters, JobsTopic, jobsRoot } from '../ota/jobs-topics';

export interface ThingLink {
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Resolves to the granted QoS, 128 when refused. */
  subscribe(filter: string): Promise<number>;
  /** Every message the connection receives; returns a function that stops listening. */
  onMessage(fn: (topic: string, payload: Buffer) => void): () => void;
}

/** A job execution as the Jobs MQTT API hands it over (execution in start-next/accepted). */
export interface JobExecution {
  jobId: string;
  thingName?: string;
  status: string;
  jobDocument?: unknown;
  statusDetails?: Record<string, string>;
  versionNumber?: number;
}

export class JobsRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobsRejected';
  }
}

export interface JobsClient {
  /** Subscribes to the answers; refuses (JobsRejected 'NotAuthorized') when the policy does not allow it. */
  ready(): Promise<void>;
  /** The next QUEUED or IN_PROGRESS execution, now IN_PROGRESS; undefined when none is pending. */
  startNext(statusDetails?: Record<string, string>): Promise<JobExecution | undefined>;
  update(jobId: string, status: string, statusDetails?: Record<string, string>): Promise<void>;
  close(): void;
}

export function createJobsClient(link: ThingLink, thing: string, timeoutMs = 10000): JobsClient {
  const base = jobsRoot(thing);
  const waiting = new Map<string, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const off = link.onMessage((topic, payload) => {
    if (!topic.startsWith(base) || !/\/(accepted|rejected)$/.test(topic)) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    const w = waiting.get(String(body.clientToken));
    if (!w) return;
    waiting.delete(String(body.clientToken));
    if (topic.endsWith('/accepted')) w.resolve(body);
    else w.reject(new JobsRejected(String(body.code ?? 'Rejected'), String(body.message ?? 'rejected')));
  });

  const request = (topic: string, body: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const clientToken = randomBytes(8).toString('hex');
      const t = setTimeout(() => {
        waiting.delete(clientToken);
        reject(new JobsRejected('Timeout', `no answer on ${topic}/accepted or /rejected within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      waiting.set(clientToken, {
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      link.publish(topic, Buffer.from(JSON.stringify({ ...body, clientToken }))).catch((e: Error) => {
        clearTimeout(t);
        waiting.delete(clientToken);
        reject(e);
      });
    });

  return {
    async ready() {
      // Not notify-next: this executor asks for the next job itself.
      for (const f of executorFilters(thing).filter((x) => x !== JobsTopic.notifyNext(thing))) {
        if ((await link.subscribe(f)) === 128) throw new JobsRejected('NotAuthorized', `the broker refused the subscription to ${f}`);
      }
    },
    async startNext(statusDetails) {
      const r = await request(JobsTopic.startNext(thing), statusDetails ? { statusDetails } : {});
      return r.execution as JobExecution | undefined;
    },
    async update(jobId, status, statusDetails) {
      await request(JobsTopic.update(thing, jobId), { status, ...(statusDetails ? { statusDetails } : {}) });
    },
    close() {
      off();
      for (const w of waiting.values()) w.reject(new JobsRejected('Closed', 'the connection was closed'));
      waiting.clear();
    },
  };
}
