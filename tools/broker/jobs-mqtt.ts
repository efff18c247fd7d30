// The AWS IoT Jobs device MQTT API, served by the AWS-like broker from a LocalJobsStore for each thing
// on $aws/things/<thing>/jobs/: notify-next, start-next, <jobId>/update, get and <jobId>/get, with
// their /accepted and /rejected replies in AWS's payload shapes. Not served: `notify` (the list),
// step timeouts, and replies to a client that did not subscribe to them (AWS delivers those too).
import type Aedes from 'aedes';
import type { LocalJobExecution } from './local-jobs-api';
import type { JobsAnswer, LocalJobsStore } from './local-jobs';
import { jobsRoot } from '../ota/jobs-topics';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Request topics under a thing's jobs root (the rest, notify-next and the replies, are not requests). */
const REQUEST = /^(?:(start-next)|(get)|([a-zA-Z0-9_-]{1,64}|\$next)\/(update|get))$/;

export function serveJobsMqtt(aedes: Aedes, jobs: LocalJobsStore, log: (line: string) => void): () => void {
  const send = (topic: string, body: object) =>
    aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify({ ...body, timestamp: seconds(new Date()) })), qos: 1, retain: false, dup: false } as never, () => undefined);

  const documentOf = (jobId: string): unknown => JSON.parse(jobs.document(jobId) ?? 'null'); // CreateJob keeps only JSON
  const execution = (e: LocalJobExecution, withDocument = true) => ({
    jobId: e.jobId,
    thingName: e.thingName,
    status: e.status,
    statusDetails: e.statusDetails,
    queuedAt: seconds(e.queuedAt),
    lastUpdatedAt: seconds(e.lastUpdatedAt),
    versionNumber: e.versionNumber,
    executionNumber: e.executionNumber,
    ...(withDocument ? { jobDocument: documentOf(e.jobId) } : {}),
  });
  const summary = (e: LocalJobExecution) => ({ jobId: e.jobId, queuedAt: seconds(e.queuedAt), lastUpdatedAt: seconds(e.lastUpdatedAt), versionNumber: e.versionNumber, executionNumber: e.executionNumber });
  const state = (e: LocalJobExecution) => ({ status: e.status, statusDetails: e.statusDetails, versionNumber: e.versionNumber });

  function answer<T>(topic: string, token: unknown, a: JobsAnswer<T>, accepted: (v: T) => object): void {
    const clientToken = typeof token === 'string' ? { clientToken: token } : {};
    if (a.ok) return send(`${topic}/accepted`, { ...accepted(a.value), ...clientToken });
    send(`${topic}/rejected`, { code: a.code, message: a.message, ...clientToken, ...(a.execution ? { executionState: state(a.execution) } : {}) });
  }

  function handle(thing: string, rest: string, topic: string, payload: Buffer): void {
    const m = REQUEST.exec(rest);
    if (!m) return; // a reply or notification topic: not a request
    let req: Record<string, unknown> = {};
    if (payload.length) {
      try {
        const v: unknown = JSON.parse(payload.toString('utf8'));
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        req = v as Record<string, unknown>;
      } catch {
        return send(`${topic}/rejected`, { code: 'InvalidJson', message: 'the request is not a JSON object' });
      }
    }
    const token = req.clientToken;
    if (m[1]) return answer(topic, token, jobs.startNext(thing, req.statusDetails), (e) => (e ? { execution: execution(e) } : {}));
    if (m[2]) return answer(topic, token, { ok: true, value: jobs.pending(thing) }, (p) => ({ inProgressJobs: p.filter((e) => e.status === 'IN_PROGRESS').map(summary), queuedJobs: p.filter((e) => e.status === 'QUEUED').map(summary) }));
    const jobId = m[3];
    if (m[4] === 'get') {
      const e = jobId === '$next' ? jobs.next(thing) : jobs.describeJobExecution(jobId, thing);
      const a: JobsAnswer<LocalJobExecution> = e ? { ok: true, value: e } : { ok: false, code: 'ResourceNotFound', message: `no execution of job ${jobId} for ${thing}` };
      return answer(topic, token, a, (x) => ({ execution: execution(x, req.includeJobDocument !== false) }));
    }
    const a = jobs.update(thing, jobId, req);
    answer(topic, token, a, (e) => ({ ...(req.includeJobExecutionState === true ? { executionState: state(e) } : {}), ...(req.includeJobDocument === true ? { jobDocument: documentOf(e.jobId) } : {}) }));
    if (a.ok) log(`job ${jobId} on ${thing}: ${a.value.status}${a.value.statusDetails.detail ? ` (${a.value.statusDetails.detail})` : ''}`);
  }

  const onPublish = (packet: { topic: string; payload: Buffer | string }, client: { id: string } | null) => {
    // The broker's own publishes (replies, notifications) have no client. The broker's policy has
    // already confined a thing to its own jobs root, so the thing is the topic's.
    const m = client && /^\$aws\/things\/([^/]+)\/jobs\/(.+)$/.exec(packet.topic);
    if (m) handle(m[1], m[2], packet.topic, Buffer.from(packet.payload));
  };
  const offNext = jobs.onNextChanged((thing, next) => send(`${jobsRoot(thing)}notify-next`, next ? { execution: execution(next) } : {}));
  aedes.on('publish', onPublish as never);
  return () => {
    offNext();
    aedes.removeListener('publish', onPublish as never);
  };
}
