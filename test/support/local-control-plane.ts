// AWS IoT's control plane for tests, answered by the AWS-like broker's local Jobs store: a mocked
// IoTClient (aws-sdk-client-mock) whose DescribeThing, CreateJob, ListJobExecutionsForJob,
// DescribeJobExecution, ListJobExecutionsForThing, GetJobDocument and CancelJob go to `broker.jobs`.
// So `npm run update` creates a job there, and the gateway or the command itself executes it over
// the broker's Jobs MQTT API, as against AWS.
import {
  CancelJobCommand,
  CreateJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingCommand,
  GetJobDocumentCommand,
  IoTClient,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import type { LocalJobExecution, LocalJobs } from '../../tools/broker/local-jobs-api';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const thingArn = (t: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${t}`;

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });

/** Routes IoTClient to `jobs` for the things named; restore() when done. */
export function localControlPlane(jobs: LocalJobs, things: string[]) {
  const iot = mockClient(IoTClient);
  const documents = new Map<string, string>();
  const summary = (e: LocalJobExecution) => ({ status: e.status, queuedAt: e.queuedAt, lastUpdatedAt: e.lastUpdatedAt, executionNumber: e.executionNumber });
  iot.on(DescribeThingCommand).callsFake(({ thingName }) => {
    if (!things.includes(thingName)) throw notFound(`Thing ${thingName} cannot be found.`);
    return { thingName, thingArn: thingArn(thingName) };
  });
  iot.on(CreateJobCommand).callsFake((i) => {
    const r = jobs.createJob({ jobId: i.jobId, targets: i.targets, document: i.document, description: i.description });
    documents.set(i.jobId, i.document);
    return r;
  });
  iot.on(GetJobDocumentCommand).callsFake(({ jobId }) => {
    if (!documents.has(jobId)) throw notFound(`Job ${jobId} cannot be found.`);
    return { document: documents.get(jobId) };
  });
  iot.on(ListJobExecutionsForThingCommand).callsFake(({ thingName }) => ({
    executionSummaries: [...documents.keys()].flatMap((jobId) => jobs.listJobExecutionsForJob(jobId).filter((e) => e.thingName === thingName).map((e) => ({ jobId, jobExecutionSummary: summary(e) }))),
  }));
  iot.on(ListJobExecutionsForJobCommand).callsFake(({ jobId }) => {
    if (!documents.has(jobId)) throw notFound(`Job ${jobId} cannot be found.`);
    return { executionSummaries: jobs.listJobExecutionsForJob(jobId).map((e) => ({ thingArn: thingArn(e.thingName), jobExecutionSummary: summary(e) })) };
  });
  iot.on(DescribeJobExecutionCommand).callsFake(({ jobId, thingName }) => {
    const e = jobs.describeJobExecution(jobId, thingName);
    if (!e) throw notFound(`No execution of ${jobId} for ${thingName}.`);
    return { execution: { jobId, thingArn: thingArn(thingName), status: e.status, statusDetails: { detailsMap: e.statusDetails }, versionNumber: e.versionNumber, executionNumber: e.executionNumber } };
  });
  iot.on(CancelJobCommand).callsFake(({ jobId, force }) => {
    jobs.cancelJob(jobId, force);
    return { jobId };
  });
  return { client: new IoTClient({ region: REGION }), restore: () => iot.restore() };
}
