// The AWS IoT control-plane calls `npm run update` makes: DescribeThing, the thing's firmware job
// history (ListJobExecutionsForThing, GetJobDocument), CreateJob, and the job's executions while it
// waits. Every SDK error leaves as a UserError saying what to do. It prints nothing and executes nothing.
import type { IoTClient } from '@aws-sdk/client-iot';
import { awsErrorName, toUserError } from '../aws-setup/aws-errors';
import { readJobDocument } from '../ota/job-document';

type Sdk = typeof import('@aws-sdk/client-iot');

/** Our jobs' ids start so (fw-<version>-<time>); other jobs in the account are not ours to judge. */
export const JOB_ID_PREFIX = 'fw-';

/** A readable job id: fw-0-2-0-20261207T161530Z (AWS allows [a-zA-Z0-9_-], 64 characters). */
export function makeJobId(version: string, now: Date): string {
  const v = version.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 30);
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${JOB_ID_PREFIX}${v}-${t}`;
}

export interface ExecutionState {
  thing: string;
  status: string;
  details: Record<string, string>;
}

export interface FirmwareHistory {
  /** Our firmware jobs still QUEUED or IN_PROGRESS for the thing. */
  pending: string[];
  /** The version of the newest firmware job that SUCCEEDED on it, if any. */
  lastVersion?: { version: string; jobId: string };
}

/** thing name from arn:aws:iot:<region>:<account>:thing/<name> (or the name itself). */
export function thingOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The control plane the update command needs: AWS IoT's (below), or a local Jobs store's (local-firmware-jobs.ts). */
export interface FirmwareJobs {
  /** The thing's ARN, or undefined when there is no such thing. */
  thingArn(thingName: string): Promise<string | undefined>;
  history(thingName: string): Promise<FirmwareHistory>;
  createJob(input: { jobId: string; targets: string[]; document: string; description: string }): Promise<string>;
  executions(jobId: string, detailsFor: (thing: string, status: string) => boolean): Promise<ExecutionState[]>;
}

export function createFirmwareJobs(iot: Pick<IoTClient, 'send'>, sdk: Sdk, ctx: { region?: string; profile?: string }): FirmwareJobs {
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toUserError(err, { ...ctx, action, command: 'npm run update' });
    }
  };

  return {
    /** The thing's ARN, or undefined when AWS IoT has no such thing. */
    async thingArn(thingName: string): Promise<string | undefined> {
      try {
        const r = await iot.send(new sdk.DescribeThingCommand({ thingName }));
        if (!r.thingArn) throw new Error('DescribeThing returned no thingArn');
        return r.thingArn;
      } catch (err) {
        if (awsErrorName(err) === 'ResourceNotFoundException') return undefined;
        throw toUserError(err, { ...ctx, action: 'iot:DescribeThing', command: 'npm run update' });
      }
    },

    /** What AWS remembers of our firmware jobs on the thing (the newest 50 executions). */
    async history(thingName: string): Promise<FirmwareHistory> {
      const r = await call('iot:ListJobExecutionsForThing', () => iot.send(new sdk.ListJobExecutionsForThingCommand({ thingName, maxResults: 50 })));
      const ours = (r.executionSummaries ?? []).filter((e) => e.jobId?.startsWith(JOB_ID_PREFIX));
      const pending = ours.filter((e) => e.jobExecutionSummary?.status === 'QUEUED' || e.jobExecutionSummary?.status === 'IN_PROGRESS').map((e) => e.jobId!);
      const done = ours
        .filter((e) => e.jobExecutionSummary?.status === 'SUCCEEDED')
        .sort((a, b) => (b.jobExecutionSummary?.lastUpdatedAt?.getTime() ?? 0) - (a.jobExecutionSummary?.lastUpdatedAt?.getTime() ?? 0));
      if (!done.length) return { pending };
      const jobId = done[0].jobId!;
      const d = await call('iot:GetJobDocument', () => iot.send(new sdk.GetJobDocumentCommand({ jobId })));
      const read = readJobDocument(d.document ?? '');
      return read.ok ? { pending, lastVersion: { version: read.job.version, jobId } } : { pending };
    },

    async createJob(input: { jobId: string; targets: string[]; document: string; description: string }): Promise<string> {
      const r = await call('iot:CreateJob', () => iot.send(new sdk.CreateJobCommand({ ...input, targetSelection: 'SNAPSHOT' })));
      return r.jobId ?? input.jobId;
    },

    /** Every thing's execution of the job, with its status details (a DescribeJobExecution for those under way or done). */
    async executions(jobId: string, detailsFor: (thing: string, status: string) => boolean): Promise<ExecutionState[]> {
      const out: ExecutionState[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('iot:ListJobExecutionsForJob', () => iot.send(new sdk.ListJobExecutionsForJobCommand({ jobId, nextToken })));
        for (const e of page.executionSummaries ?? []) {
          const thing = thingOfArn(e.thingArn ?? '');
          const status = e.jobExecutionSummary?.status ?? 'QUEUED';
          let details: Record<string, string> = {};
          if (detailsFor(thing, status)) {
            const d = await call('iot:DescribeJobExecution', () => iot.send(new sdk.DescribeJobExecutionCommand({ jobId, thingName: thing })));
            details = d.execution?.statusDetails?.detailsMap ?? {};
            out.push({ thing, status: d.execution?.status ?? status, details });
            continue;
          }
          out.push({ thing, status, details });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    },
  };
}
