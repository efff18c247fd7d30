// npm run update --wait against a mocked AWS IoT (aws-sdk-client-mock): sequences of
// ListJobExecutionsForJob / DescribeJobExecution answers as an executor moves each thing along, and
// what the command prints and how it ends (resolves only when every thing SUCCEEDED).
import { CreateJobCommand, DescribeJobExecutionCommand, DescribeThingCommand, IoTClient, ListJobExecutionsForJobCommand, ListJobExecutionsForThingCommand } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../tools/shared/errors';
import { createMemoryLogger } from '../../tools/shared/log';
import { run, type UpdateOptions } from '../../tools/update/run';
import { failure } from '../support/user-error';

const ARN = (t: string) => `arn:aws:iot:eu-west-1:123456789012:thing/${t}`;
const iot = mockClient(IoTClient);
afterAll(() => iot.restore());

type Step = Record<string, [string, Record<string, string>?]>;

/** Each poll answers the next step (the last one repeats): per thing, its status and statusDetails. */
function script(steps: Step[]) {
  iot.reset();
  iot.on(DescribeThingCommand).callsFake(({ thingName }) => ({ thingName, thingArn: ARN(thingName) }));
  iot.on(ListJobExecutionsForThingCommand).resolves({ executionSummaries: [] });
  iot.on(CreateJobCommand).callsFake(({ jobId }) => ({ jobId }));
  let i = -1;
  iot.on(ListJobExecutionsForJobCommand).callsFake(() => {
    i = Math.min(i + 1, steps.length - 1);
    return { executionSummaries: Object.entries(steps[i]).map(([t, [status]]) => ({ thingArn: ARN(t), jobExecutionSummary: { status } })) };
  });
  iot.on(DescribeJobExecutionCommand).callsFake(({ thingName }) => {
    const [status, details] = steps[i][thingName];
    return { execution: { thingArn: ARN(thingName), status, statusDetails: { detailsMap: details ?? {} } } };
  });
}

const never = new Promise<void>(() => undefined);
const deps = (stop: Promise<void> = never) => ({
  log: createMemoryLogger(),
  iot: new IoTClient({ region: 'eu-west-1' }),
  build: async () => ({ bundle: Buffer.from('var a=1;\n'), version: '0.2.0' }),
  pollMs: 1,
  stop,
});
const opts = (o: Partial<UpdateOptions>): UpdateOptions => ({ cwd: __dirname, region: 'eu-west-1', wait: true, ...o });

test('one line per change: queued, in progress with the % from the executor (sent/total), SUCCEEDED with its detail; resolves', async () => {
  script([
    { a: ['QUEUED'] },
    { a: ['QUEUED'] },
    { a: ['IN_PROGRESS', { step: 'sending', version: '0.2.0', sent: '7168', total: '17606' }] },
    { a: ['IN_PROGRESS', { step: 'sending', version: '0.2.0', sent: '7168', total: '17606' }] },
    { a: ['IN_PROGRESS', { step: 'switching', version: '0.2.0' }] },
    { a: ['SUCCEEDED', { detail: 'running 0.2.0', version: '0.2.0' }] },
  ]);
  const d = deps();
  const r = await run(opts({ thing: 'a' }), d);
  expect(r.ended).toBe('done');
  expect(r.outcomes).toEqual([{ thing: 'a', status: 'SUCCEEDED', detail: 'running 0.2.0' }]);
  const lines = d.log.lines.filter((l) => l.startsWith('a:'));
  expect(lines).toEqual([
    'a: queued',
    'a: in progress 40% (sending)',
    'a: in progress (switching)',
    'a: SUCCEEDED (running 0.2.0)',
  ]);
  expect(d.log.lines.at(-1)).toMatch(/^a runs the new firmware \(job /);
});

test('a thing FAILED and another REJECTED by its device: both printed with the reason, and the command fails', async () => {
  script([
    { a: ['IN_PROGRESS', { progress: '10' }], b: ['QUEUED'], c: ['QUEUED'] },
    { a: ['FAILED', { detail: 'rolled back to 0.1.0: never joined Wi-Fi' }], b: ['REJECTED', { detail: 'already running 0.2.0' }], c: ['SUCCEEDED', { detail: 'running 0.2.0' }] },
  ]);
  const d = deps();
  const e = await failure(run(opts({ things: ['a', 'b', 'c'] }), d));
  expect(e.anchor).toBe('update-failed');
  expect(e.message).toBe('2 of 3 things did not update (a FAILED: rolled back to 0.1.0: never joined Wi-Fi; b REJECTED: already running 0.2.0): see each reason, fix it, and run npm run update again.');
  expect(d.log.lines).toEqual(expect.arrayContaining(['a: FAILED (rolled back to 0.1.0: never joined Wi-Fi)', 'b: REJECTED (already running 0.2.0)', 'c: SUCCEEDED (running 0.2.0)']));
});

test('--timeout: the job goes on, the command says how to look again and fails', async () => {
  script([{ a: ['QUEUED'] }]);
  const d = deps();
  const e = await failure(run(opts({ thing: 'a', timeoutMs: 30 }), d));
  expect(e.anchor).toBe('update-not-finished');
  expect(e.message).toMatch(/the --timeout ran out: run npm run update -- --job fw-0-2-0-\w+ --wait to follow it\.$/);
});

test('Ctrl-C stops waiting, leaves the job running (nothing is canceled) and says how to look again', async () => {
  script([{ a: ['IN_PROGRESS', { progress: '20' }] }]);
  let ctrlC: () => void = () => undefined;
  const d = deps(new Promise<void>((r) => (ctrlC = r)));
  const p = run(opts({ thing: 'a', timeoutMs: 60000 }), { ...d, pollMs: 20 });
  setTimeout(() => ctrlC(), 100);
  const e = await failure(p);
  expect(e.message).toContain('you stopped waiting');
  expect(d.log.lines.join('\n')).toMatch(/The job goes on without this command: look again with npm run update -- --job fw-0-2-0-\w+ --wait/);
  expect(iot.calls().map((c) => c.args[0].constructor.name)).not.toContain('CancelJobCommand');
});

test('--job ID follows an existing job without building or creating anything', async () => {
  script([{ a: ['SUCCEEDED', { detail: 'running 0.2.0' }] }]);
  const d = deps();
  const build = jest.fn();
  const r = await run(opts({ job: 'fw-0-2-0-x' }), { ...d, build });
  expect(r.outcomes).toEqual([{ thing: 'a', status: 'SUCCEEDED', detail: 'running 0.2.0' }]);
  expect(build).not.toHaveBeenCalled();
  expect(iot.commandCalls(CreateJobCommand)).toHaveLength(0);
});

test('a direct board this command cannot reach: reported at once (nobody else would execute its job), not waited for', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'update-wait-'));
  try {
    const certs = join(cwd, 'certs', 'esp');
    mkdirSync(certs, { recursive: true });
    for (const f of ['certificate.pem.crt', 'private.pem.key']) writeFileSync(join(certs, f), 'x');
    writeFileSync(join(certs, 'thing.json'), JSON.stringify({ thing: 'esp', endpoint: 'a-ats.iot.eu-west-1.amazonaws.com', port: 8883, mode: 'direct' }));
    script([{ esp: ['QUEUED'] }]);
    const connect = async () => {
      throw new UserError('Could not connect to a-ats.iot.eu-west-1.amazonaws.com:8883 as esp-update.', 'update-direct-connect');
    };
    const t0 = Date.now();
    const e = await failure(run({ cwd, region: 'eu-west-1', thing: 'esp', timeoutMs: 60000 }, { ...deps(), connect }));
    expect(Date.now() - t0).toBeLessThan(20000);
    expect(e.anchor).toBe('update-failed');
    expect(e.message).toContain('esp NOT EXECUTED: Could not connect to a-ats.iot.eu-west-1.amazonaws.com:8883 as esp-update; the job waits for it: run npm run update -- --job fw-0-2-0-');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
