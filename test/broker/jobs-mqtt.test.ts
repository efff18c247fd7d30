// The AWS-like broker serves the AWS IoT Jobs MQTT API to a thing: the AWS SDK's own IotJobsClient
// (aws-iot-device-sdk-v2) gets notify-next, starts the next execution, updates it (accepted, and
// rejected for a stale version or a terminal one), sees notify-next empty when none is left; a
// thing may not touch another thing's jobs topics.
import { iot, iotjobs, mqtt } from 'aws-iot-device-sdk-v2';
import { connect, type MqttClient } from 'mqtt';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { createTempPki, type TempPki } from '../support/pki';

let pki: TempPki;
let broker: AwsLikeBroker;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  pki = createTempPki();
  broker = await startAwsLikeBroker({ pki: pki.pki, port: 0 });
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await broker?.close();
  pki?.cleanup();
});

async function sdkThing(thing: string): Promise<iotjobs.IotJobsClient> {
  const id = pki.tlsFor(thing);
  const cfg = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(id.cert, id.key)
    .with_certificate_authority(id.ca)
    .with_endpoint('127.0.0.1')
    .with_port(broker.port)
    .with_client_id(thing)
    .with_clean_session(true)
    .build();
  const conn = new mqtt.MqttClient().new_connection(cfg);
  conn.on('error', () => undefined);
  await conn.connect();
  closers.push(() => conn.disconnect());
  return new iotjobs.IotJobsClient(conn);
}

/** The next message a subscription hands over. */
function inbox<T>(): { push: (e?: unknown, r?: T) => void; next: () => Promise<T> } {
  const got: T[] = [];
  const waiting: ((v: T) => void)[] = [];
  return {
    push: (_e, r) => (waiting.length ? waiting.shift()!(r as T) : got.push(r as T)),
    next: () => (got.length ? Promise.resolve(got.shift()!) : new Promise<T>((r) => waiting.push(r))),
  };
}

const QOS = mqtt.QoS.AtLeastOnce;

test('the SDK as a thing: notify-next, start-next, update accepted/rejected, and an empty notify-next at the end', async () => {
  const thing = 'jobs-thing-1';
  const jobs = await sdkThing(thing);
  const next = inbox<iotjobs.model.NextJobExecutionChangedEvent>();
  const started = inbox<iotjobs.model.StartNextJobExecutionResponse>();
  const updated = inbox<iotjobs.model.UpdateJobExecutionResponse>();
  const refused = inbox<iotjobs.model.RejectedErrorResponse>();
  await jobs.subscribeToNextJobExecutionChangedEvents({ thingName: thing }, QOS, next.push);
  await jobs.subscribeToStartNextPendingJobExecutionAccepted({ thingName: thing }, QOS, started.push);
  await jobs.subscribeToUpdateJobExecutionAccepted({ thingName: thing, jobId: 'job-a' }, QOS, updated.push);
  await jobs.subscribeToUpdateJobExecutionRejected({ thingName: thing, jobId: 'job-a' }, QOS, refused.push);

  broker.jobs.createJob({ jobId: 'job-a', targets: [`arn:aws:iot:us-east-1:123456789012:thing/${thing}`], document: '{"operation":"demo","n":1}' });
  const n1 = await next.next();
  expect(n1.execution).toMatchObject({ jobId: 'job-a', status: 'QUEUED', versionNumber: 1, executionNumber: 1, jobDocument: { operation: 'demo', n: 1 } });
  expect(typeof n1.execution?.queuedAt).toBe('number'); // seconds since the epoch, as AWS sends them

  await jobs.publishStartNextPendingJobExecution({ thingName: thing, clientToken: 'tok-1', statusDetails: { step: 'starting' } }, QOS);
  const s = await started.next();
  expect(s).toMatchObject({ clientToken: 'tok-1', execution: { jobId: 'job-a', status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: 'starting' } } });

  await jobs.publishUpdateJobExecution({ thingName: thing, jobId: 'job-a', status: iotjobs.model.JobStatus.IN_PROGRESS, expectedVersion: 1, clientToken: 'tok-2' }, QOS);
  expect(await refused.next()).toMatchObject({ code: 'VersionMismatch', clientToken: 'tok-2', executionState: { status: 'IN_PROGRESS', versionNumber: 2 } });

  await jobs.publishUpdateJobExecution({ thingName: thing, jobId: 'job-a', status: iotjobs.model.JobStatus.SUCCEEDED, statusDetails: { detail: 'running 0.9.0' }, expectedVersion: 2, includeJobExecutionState: true }, QOS);
  expect(await updated.next()).toMatchObject({ executionState: { status: 'SUCCEEDED', versionNumber: 3, statusDetails: { detail: 'running 0.9.0' } } });
  expect((await next.next()).execution).toBeUndefined();

  await jobs.publishUpdateJobExecution({ thingName: thing, jobId: 'job-a', status: iotjobs.model.JobStatus.FAILED }, QOS);
  expect(await refused.next()).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'SUCCEEDED' } });
  expect(broker.jobs.describeJobExecution('job-a', thing)).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3 });

  await jobs.publishStartNextPendingJobExecution({ thingName: thing }, QOS);
  expect((await started.next()).execution).toBeUndefined();
}, 30000);

test("a thing cannot subscribe to or publish on another thing's jobs topics", async () => {
  broker.jobs.createJob({ jobId: 'job-b', targets: ['jobs-victim'], document: '{"operation":"demo"}' });
  const c: MqttClient = connect({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', protocolVersion: 4, clientId: 'jobs-intruder', reconnectPeriod: 0, ...pki.tlsFor('jobs-intruder') });
  closers.push(() => c.endAsync(true));
  await new Promise((r) => c.once('connect', r));
  const granted = await c.subscribeAsync('$aws/things/jobs-victim/jobs/notify-next', { qos: 1 }).catch(() => [{ qos: 128 }]);
  expect(granted[0].qos).toBe(128);
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  c.publish('$aws/things/jobs-victim/jobs/start-next', '{}', { qos: 1 });
  await closed; // AWS closes the connection of a forbidden publish
  expect(broker.jobs.describeJobExecution('job-b', 'jobs-victim')?.status).toBe('QUEUED');
}, 30000);

test('a request that is not JSON is rejected as InvalidJson; a malformed update as InvalidRequest', async () => {
  const thing = 'jobs-thing-2';
  broker.jobs.createJob({ jobId: 'job-c', targets: [thing], document: '{"operation":"demo"}' });
  const c: MqttClient = connect({ host: '127.0.0.1', port: broker.port, protocol: 'mqtts', protocolVersion: 4, clientId: thing, reconnectPeriod: 0, ...pki.tlsFor(thing) });
  closers.push(() => c.endAsync(true));
  await new Promise((r) => c.once('connect', r));
  const got: Record<string, unknown>[] = [];
  c.on('message', (topic, p) => {
    if (/(accepted|rejected)$/.test(topic)) got.push({ topic, ...JSON.parse(p.toString()) });
  });
  await c.subscribeAsync(`$aws/things/${thing}/jobs/#`, { qos: 1 });
  await c.publishAsync(`$aws/things/${thing}/jobs/start-next`, 'not json', { qos: 1 });
  await c.publishAsync(`$aws/things/${thing}/jobs/job-c/update`, '{"status":"DONE"}', { qos: 1 });
  await c.publishAsync(`$aws/things/${thing}/jobs/job-c/get`, '{"clientToken":"g"}', { qos: 1 });
  for (const end = Date.now() + 5000; got.filter((m) => /(accepted|rejected)$/.test(m.topic as string)).length < 3 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  expect(got.find((m) => m.topic === `$aws/things/${thing}/jobs/start-next/rejected`)).toMatchObject({ code: 'InvalidJson' });
  expect(got.find((m) => m.topic === `$aws/things/${thing}/jobs/job-c/update/rejected`)).toMatchObject({ code: 'InvalidRequest' });
  expect(got.find((m) => m.topic === `$aws/things/${thing}/jobs/job-c/get/accepted`)).toMatchObject({ clientToken: 'g', execution: { jobId: 'job-c', status: 'QUEUED' } });
}, 30000);
