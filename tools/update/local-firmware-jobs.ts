// The update command's control plane answered by the AWS-like broker's local Jobs store instead of
// AWS IoT: for `npm run real-board` (and anything else that runs the whole path with no AWS account).
// Things are the ones named; the history is what this store holds. It creates no AWS client.
import type { LocalJobs } from '../broker/local-jobs-api';
import { readJobDocument } from '../ota/job-document';
import { JOB_ID_PREFIX, type FirmwareJobs } from './firmware-jobs';

export interface LocalJobsWithDocuments extends LocalJobs {
  document(jobId: string): string | undefined;
}

export function createLocalFirmwareJobs(jobs: LocalJobsWithDocuments, things: string[]): FirmwareJobs {
  const created: string[] = [];
  const arn = (t: string) => `arn:aws:iot:local:000000000000:thing/${t}`;
  return {
    async thingArn(thing) {
      return things.includes(thing) ? arn(thing) : undefined;
    },
    async history(thing) {
      const ours = created.flatMap((id) => jobs.describeJobExecution(id, thing) ?? []).filter((e) => e.jobId.startsWith(JOB_ID_PREFIX));
      const pending = ours.filter((e) => e.status === 'QUEUED' || e.status === 'IN_PROGRESS').map((e) => e.jobId);
      const last = ours.filter((e) => e.status === 'SUCCEEDED').sort((a, b) => b.lastUpdatedAt.getTime() - a.lastUpdatedAt.getTime())[0];
      const read = last ? readJobDocument(jobs.document(last.jobId) ?? '') : undefined;
      return read?.ok && last ? { pending, lastVersion: { version: read.job.version, jobId: last.jobId } } : { pending };
    },
    async createJob(input) {
      jobs.createJob(input);
      created.push(input.jobId);
      return input.jobId;
    },
    async executions(jobId) {
      return jobs.listJobExecutionsForJob(jobId).map((e) => ({ thing: e.thingName, status: e.status, details: e.statusDetails }));
    },
  };
}
