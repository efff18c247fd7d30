// The local AWS IoT Jobs store keeps the rules an executor relies on: one queue per thing in
// creation order, IN_PROGRESS handed back first, versions that move on every change, stale and
// terminal updates refused, and a NextNotification only when the next execution becomes another.
import { createLocalJobs, thingOfTarget } from '../../tools/broker/local-jobs';
import { JOB_DOCUMENT_LIMIT } from '../../tools/ota/job-document';

const DOC = '{"operation":"x"}';
const ARN = (t: string) => `arn:aws:iot:eu-west-1:111122223333:thing/${t}`;

function store() {
  let t = 1_700_000_000_000;
  const jobs = createLocalJobs({ now: () => new Date((t += 1000)) });
  const nexts: [string, string | undefined][] = [];
  jobs.onNextChanged((thing, next) => nexts.push([thing, next?.jobId]));
  return { jobs, nexts };
}

test('a job queues one execution per target (ARN or name), numbered per thing, at version 1', () => {
  const { jobs, nexts } = store();
  expect(jobs.createJob({ jobId: 'j1', targets: [ARN('a'), 'b', 'a'], document: DOC })).toEqual({ jobId: 'j1', jobArn: 'arn:aws:iot:us-east-1:123456789012:job/j1' });
  jobs.createJob({ jobId: 'j2', targets: ['a'], document: DOC });
  expect(jobs.listJobExecutionsForJob('j1').map((e) => [e.thingName, e.status, e.versionNumber, e.executionNumber])).toEqual([
    ['a', 'QUEUED', 1, 1],
    ['b', 'QUEUED', 1, 1],
  ]);
  expect(jobs.describeJobExecution('j2', 'a')).toMatchObject({ status: 'QUEUED', executionNumber: 2 });
  expect(jobs.document('j1')).toBe(DOC);
  // j2 is queued behind j1: a's next did not change.
  expect(nexts).toEqual([
    ['a', 'j1'],
    ['b', 'j1'],
  ]);
  expect(thingOfTarget('plain')).toBe('plain');
});

test('CreateJob refuses a jobId in use, a bad jobId, no target and a document over 32 KB, by AWS error name', () => {
  const { jobs } = store();
  jobs.createJob({ jobId: 'j1', targets: ['a'], document: DOC });
  const nameOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).name;
    }
    return 'none';
  };
  expect(nameOf(() => jobs.createJob({ jobId: 'j1', targets: ['a'], document: DOC }))).toBe('ResourceAlreadyExistsException');
  expect(nameOf(() => jobs.createJob({ jobId: 'no spaces', targets: ['a'], document: DOC }))).toBe('InvalidRequestException');
  expect(nameOf(() => jobs.createJob({ jobId: 'j3', targets: [], document: DOC }))).toBe('InvalidRequestException');
  expect(nameOf(() => jobs.createJob({ jobId: 'j4', targets: ['a'], document: 'x'.repeat(JOB_DOCUMENT_LIMIT + 1) }))).toBe('InvalidRequestException');
  expect(nameOf(() => jobs.listJobExecutionsForJob('nope'))).toBe('ResourceNotFoundException');
});

test('start-next hands back the IN_PROGRESS execution first, then the oldest QUEUED; none when all are terminal', () => {
  const { jobs, nexts } = store();
  jobs.createJob({ jobId: 'j1', targets: ['a'], document: DOC });
  jobs.createJob({ jobId: 'j2', targets: ['a'], document: DOC });
  const s1 = jobs.startNext('a', { step: 'starting' });
  expect(s1).toMatchObject({ ok: true, value: { jobId: 'j1', status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: 'starting' } } });
  // Asked again (a restarted executor), the same execution comes back unchanged.
  expect(jobs.startNext('a')).toMatchObject({ ok: true, value: { jobId: 'j1', status: 'IN_PROGRESS', versionNumber: 2 } });
  expect(jobs.update('a', 'j1', { status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.0' }, expectedVersion: 2 })).toMatchObject({ ok: true, value: { status: 'SUCCEEDED', versionNumber: 3 } });
  expect(jobs.startNext('a')).toMatchObject({ ok: true, value: { jobId: 'j2', status: 'IN_PROGRESS' } });
  jobs.update('a', 'j2', { status: 'REJECTED' });
  expect(jobs.startNext('a')).toEqual({ ok: true, value: undefined });
  expect(nexts).toEqual([
    ['a', 'j1'],
    ['a', 'j2'],
    ['a', undefined],
  ]);
});

test('a QUEUED execution started out of order by an update becomes the next, and says so', () => {
  const { jobs, nexts } = store();
  jobs.createJob({ jobId: 'j1', targets: ['a'], document: DOC });
  jobs.createJob({ jobId: 'j2', targets: ['a'], document: DOC });
  jobs.update('a', 'j2', { status: 'IN_PROGRESS' });
  expect(jobs.next('a')?.jobId).toBe('j2');
  expect(jobs.pending('a').map((e) => e.jobId)).toEqual(['j2', 'j1']);
  expect(nexts.at(-1)).toEqual(['a', 'j2']);
});

test('UpdateJobExecution refuses a stale expectedVersion, a terminal execution, a bad status or details, an unknown job', () => {
  const { jobs } = store();
  jobs.createJob({ jobId: 'j1', targets: ['a'], document: DOC });
  jobs.startNext('a');
  expect(jobs.update('a', 'j1', { status: 'IN_PROGRESS', expectedVersion: 1 })).toMatchObject({ ok: false, code: 'VersionMismatch', execution: { versionNumber: 2 } });
  expect(jobs.update('a', 'j1', { status: 'QUEUED' })).toMatchObject({ ok: false, code: 'InvalidRequest' });
  expect(jobs.update('a', 'j1', { status: 'FAILED', statusDetails: { 'bad key': 'x' } })).toMatchObject({ ok: false, code: 'InvalidRequest' });
  expect(jobs.update('a', 'j1', { status: 'FAILED', statusDetails: { detail: 'line\nbreak' } })).toMatchObject({ ok: false, code: 'InvalidRequest' });
  expect(jobs.update('a', 'j1', { status: 'FAILED', executionNumber: 9 })).toMatchObject({ ok: false, code: 'ResourceNotFound' });
  expect(jobs.update('b', 'j1', { status: 'FAILED' })).toMatchObject({ ok: false, code: 'ResourceNotFound' });
  expect(jobs.update('a', 'j1', { status: 'FAILED', statusDetails: { detail: 'rolled back' } })).toMatchObject({ ok: true, value: { status: 'FAILED', versionNumber: 3 } });
  expect(jobs.update('a', 'j1', { status: 'SUCCEEDED' })).toMatchObject({ ok: false, code: 'InvalidStateTransition', execution: { status: 'FAILED' } });
  expect(jobs.describeJobExecution('j1', 'a')).toMatchObject({ status: 'FAILED', statusDetails: { detail: 'rolled back' }, versionNumber: 3 });
});

test('CancelJob cancels QUEUED executions, IN_PROGRESS ones only with force, and terminal ones never', () => {
  const { jobs } = store();
  jobs.createJob({ jobId: 'j1', targets: ['a', 'b', 'c'], document: DOC });
  jobs.startNext('b');
  jobs.startNext('c');
  jobs.update('c', 'j1', { status: 'SUCCEEDED' });
  jobs.cancelJob('j1');
  expect(jobs.listJobExecutionsForJob('j1').map((e) => e.status)).toEqual(['CANCELED', 'IN_PROGRESS', 'SUCCEEDED']);
  jobs.cancelJob('j1', true);
  expect(jobs.listJobExecutionsForJob('j1').map((e) => e.status)).toEqual(['CANCELED', 'CANCELED', 'SUCCEEDED']);
  expect(jobs.startNext('b')).toEqual({ ok: true, value: undefined });
});
