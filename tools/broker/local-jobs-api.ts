// The shape of the AWS-like broker's local AWS IoT Jobs store: the control-plane calls that
// `npm run update` makes (CreateJob, DescribeJobExecution, ListJobExecutionsForJob, CancelJob),
// answered locally so `npm start` and the tests need no AWS account. Types only: the broker
// implements it (and serves the Jobs MQTT API on $aws/things/<thing>/jobs/...); tests route a mocked
// IoTClient (aws-sdk-client-mock) to it.

/** AWS IoT's job execution states (JobExecutionStatus). */
export type JobExecutionStatus = 'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'CANCELED' | 'REMOVED';

export interface LocalJobExecution {
  jobId: string;
  thingName: string;
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  versionNumber: number;
  executionNumber: number;
  queuedAt: Date;
  lastUpdatedAt: Date;
}

export interface LocalCreateJob {
  jobId: string;
  /** Thing ARNs (arn:aws:iot:<region>:<account>:thing/<name>) or plain thing names. */
  targets: string[];
  /** The job document's JSON text (AWS's 32 KB limit applies). */
  document: string;
  description?: string;
}

export interface LocalJobs {
  /** Like CreateJob; throws an Error named ResourceAlreadyExistsException for a jobId in use, InvalidRequestException for a document over 32 KB. */
  createJob(input: LocalCreateJob): { jobId: string; jobArn: string };
  describeJobExecution(jobId: string, thingName: string): LocalJobExecution | undefined;
  listJobExecutionsForJob(jobId: string): LocalJobExecution[];
  /** Like CancelJob: QUEUED executions become CANCELED (IN_PROGRESS ones too with force). */
  cancelJob(jobId: string, force?: boolean): void;
}
