// Executes a firmware job for a direct-TLS board, as the thing (no gateway does it for such a board,
// and an 18 KB job document does not fit its RAM): StartNextPendingJobExecution, the bundle streamed
// with sendUpdate over the board's own ota topics (no HMAC: AWS IoT's policy is the authentication in
// direct mode), then UpdateJobExecution with the device's verdict. It does not create jobs.
import type { Logger } from '../shared/log';
import { readJobDocument } from '../ota/job-document';
import { sendUpdate, type UpdateOutcome } from '../ota/send-update';
import { Topic, thingRoot } from '../../firmware/core/wire-contract';
import { createJobsClient, type ThingLink } from './jobs-mqtt';
import type { ThingOutcome } from './wait-for-job';

export interface DirectUpdateOptions {
  thing: string;
  /** The job this run created: executions before it in the thing's queue are executed first. */
  jobId: string;
  /** The board's topic prefix (aws-setup --topic-prefix); default devices. */
  prefix?: string;
  log: Logger;
  /** Per answer of the board, before a step is resent (default 10 s). */
  stepTimeoutMs?: number;
  /** How long the new firmware may take to prove itself (default sendUpdate's 20 min). */
  outcomeTimeoutMs?: number;
  /** Per Jobs API request (default 10 s). */
  jobsTimeoutMs?: number;
}

/** At most this many executions are run in one go (older jobs queued before ours, then ours). */
const MAX_JOBS = 5;

export async function updateDirectThing(link: ThingLink, o: DirectUpdateOptions): Promise<ThingOutcome | undefined> {
  const jobs = createJobsClient(link, o.thing, o.jobsTimeoutMs);
  const root = thingRoot(o.prefix ?? Topic.DefaultPrefix, o.thing);
  try {
    await jobs.ready();
    if ((await link.subscribe(root + Topic.OtaOut)) === 128) throw new Error(`the broker refused the subscription to ${root + Topic.OtaOut}`);
    for (let n = 0; n < MAX_JOBS; n++) {
      const ex = await jobs.startNext({ detail: 'starting' });
      // Nothing pending: the job was canceled, or another run executed it; the wait says how it ended.
      if (!ex) return undefined;
      const read = readJobDocument(ex.jobDocument);
      if (!read.ok) {
        o.log.warn(`${o.thing}: job ${ex.jobId} rejected: ${read.why}`);
        await jobs.update(ex.jobId, 'REJECTED', { detail: read.why });
        if (ex.jobId === o.jobId) return { thing: o.thing, status: 'REJECTED', detail: read.why };
        continue;
      }
      if (ex.jobId !== o.jobId) o.log.info(`${o.thing}: executing ${ex.jobId} first, queued before this one`);
      const outcome = await transfer(link, jobs, ex.jobId, read.job, o, root);
      if (ex.jobId === o.jobId) return { thing: o.thing, status: outcome.status, detail: outcome.detail };
    }
    return undefined;
  } finally {
    jobs.close();
  }
}

async function transfer(link: ThingLink, jobs: ReturnType<typeof createJobsClient>, jobId: string, job: { version: string; bundle: Buffer; allowDowngrade: boolean }, o: DirectUpdateOptions, root: string): Promise<UpdateOutcome> {
  let reported = -1;
  let switched = false;
  let reporting = Promise.resolve();
  // Progress goes to AWS every 10 %, one report at a time, so `--wait` elsewhere shows it too. Once
  // the board switched, its trial is the news (sendUpdate's closing 100 % would only hide it).
  const progress = (sent: number, total: number) => {
    const pct = Math.floor((sent * 100) / total / 10) * 10;
    if (pct <= reported || switched) return;
    reported = pct;
    o.log.info(`${o.thing}: sending ${job.version} ${pct}%`);
    // The keys the gateway's job runner reports too, so --wait reads both alike.
    const details = { step: 'sending', version: job.version, sent: String(sent), total: String(total) };
    reporting = reporting.then(() => jobs.update(jobId, 'IN_PROGRESS', details).catch(() => undefined));
  };
  let outcome = await sendUpdate(
    {
      publish: (topic, payload) => link.publish(topic, payload),
      onReply: (fn) => link.onMessage((topic, payload) => topic === root + Topic.OtaOut && fn(payload)),
    },
    {
      thing: o.thing,
      prefix: o.prefix,
      bundle: job.bundle,
      version: job.version,
      allowDowngrade: job.allowDowngrade,
      stepTimeoutMs: o.stepTimeoutMs,
      outcomeTimeoutMs: o.outcomeTimeoutMs,
      onProgress: progress,
      onState: (s) => {
        if (s !== 'switching') return;
        switched = true;
        o.log.info(`${o.thing}: switching to ${job.version}; waiting for it to prove itself (up to 3 boots)`);
        reporting = reporting.then(() => jobs.update(jobId, 'IN_PROGRESS', { step: 'switching', version: job.version }).catch(() => undefined));
      },
    },
  );
  await reporting;
  // Nobody else will execute it: a silent board ends the job FAILED; a new update resumes its staged bytes.
  if (outcome.status === 'TIMED_OUT') outcome = { status: 'FAILED', detail: `${outcome.detail}: run npm run update again once it is online` };
  await jobs.update(jobId, outcome.status, { detail: outcome.detail, version: job.version });
  return outcome;
}
