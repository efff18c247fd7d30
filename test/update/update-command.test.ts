// npm run update's control plane against a mocked AWS IoT (aws-sdk-client-mock: AWS cannot be reached
// from here, and the control plane is the one thing the house mocks): the exact CreateJob input, the
// refusals made before anything is created (missing thing, gate, 32 KB, same/older version, a job
// still pending), --all from the gateway's store, and missing credentials.
import {
  CreateJobCommand,
  DescribeThingCommand,
  GetJobDocumentCommand,
  IoTClient,
  ListJobExecutionsForThingCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeJobDocument, readJobDocument } from '../../tools/ota/job-document';
import { createMemoryLogger } from '../../tools/shared/log';
import { buildProject, run, type UpdateOptions } from '../../tools/update/run';
import { failure } from '../support/user-error';
import { runTool } from '../support/run-tool';

const ROOT = join(__dirname, '../..');
const ARN = (t: string) => `arn:aws:iot:eu-west-1:123456789012:thing/${t}`;
const NOW = new Date('2026-12-07T16:15:30.123Z');
const BUNDLE = Buffer.from('var a=1;print("fw");\n', 'latin1');
const iot = mockClient(IoTClient);
let dir: string;

beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'update-cmd-'))));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  iot.restore();
});

/** AWS IoT with these things; `history` is each thing's earlier firmware jobs (jobId, status, version). */
function fakeAws(things: string[], history: Record<string, { jobId: string; status: string; version: string }[]> = {}) {
  iot.reset();
  iot.on(DescribeThingCommand).callsFake(({ thingName }) => {
    if (!things.includes(thingName)) throw new ResourceNotFoundException({ message: `Thing ${thingName} cannot be found.`, $metadata: {} });
    return { thingName, thingArn: ARN(thingName) };
  });
  iot.on(ListJobExecutionsForThingCommand).callsFake(({ thingName }) => ({
    executionSummaries: (history[thingName] ?? []).map((h, i) => ({ jobId: h.jobId, jobExecutionSummary: { status: h.status, lastUpdatedAt: new Date(1e12 + i) } })),
  }));
  iot.on(GetJobDocumentCommand).callsFake(({ jobId }) => {
    const h = Object.values(history).flat().find((x) => x.jobId === jobId)!;
    return { document: makeJobDocument({ version: h.version, bundle: BUNDLE, allowDowngrade: false }) };
  });
  iot.on(CreateJobCommand).callsFake(({ jobId }) => ({ jobId, jobArn: `arn:aws:iot:eu-west-1:123456789012:job/${jobId}` }));
}

const deps = (extra: { bundle?: Buffer; version?: string } = {}) => {
  const log = createMemoryLogger();
  return { log, iot: new IoTClient({ region: 'eu-west-1' }), now: () => NOW, build: async () => ({ bundle: extra.bundle ?? BUNDLE, version: extra.version ?? '0.2.0' }) };
};
const opts = (o: Partial<UpdateOptions>): UpdateOptions => ({ cwd: dir, region: 'eu-west-1', ...o });
const created = () => iot.commandCalls(CreateJobCommand).map((c) => c.args[0].input);

test('--thing X creates one job: the thing ARN as target, the bundle inline in the document, a readable job id', async () => {
  fakeAws(['button-1']);
  const d = deps();
  const r = await run(opts({ thing: 'button-1' }), d);
  expect(created()).toHaveLength(1);
  const input = created()[0];
  expect(input).toEqual({
    jobId: 'fw-0-2-0-20261207T161530Z',
    targets: [ARN('button-1')],
    document: expect.any(String),
    description: `Firmware 0.2.0 (${BUNDLE.length} bytes) for button-1, by npm run update`,
    targetSelection: 'SNAPSHOT',
  });
  const doc = readJobDocument(input.document);
  expect(doc.ok && doc.job).toEqual({ version: '0.2.0', bundle: BUNDLE, allowDowngrade: false });
  expect(r).toEqual({ jobId: 'fw-0-2-0-20261207T161530Z', outcomes: [], ended: 'created' });
  expect(d.log.outLines).toEqual(['fw-0-2-0-20261207T161530Z']);
  expect(d.log.lines.join('\n')).toContain('npm run update -- --job fw-0-2-0-20261207T161530Z --wait');
});

test('--things a,b makes ONE job for both', async () => {
  fakeAws(['a', 'b']);
  await run(opts({ things: ['a', 'b', 'a'] }), deps());
  expect(created().map((c) => c.targets)).toEqual([[ARN('a'), ARN('b')]]);
});

test('a thing AWS does not have: one sentence naming it, and no job', async () => {
  fakeAws(['a']);
  const e = await failure(run(opts({ things: ['a', 'ghost'] }), deps()));
  expect(e.anchor).toBe('update-thing-missing');
  expect(e.message).toMatch(/^AWS IoT in eu-west-1 has no thing named ghost: .*no job was created\.$/);
  expect(created()).toHaveLength(0);
});

test('a bundle that fails the Espruino gate is refused on the host with its problems, before any AWS call', async () => {
  fakeAws(['button-1']);
  const d = deps();
  const build = () => buildProject(ROOT, d.log, { entry: 'test/build/fixtures/uses-map.ts', outFile: join(dir, 'bad.js') });
  const e = await failure(run(opts({ thing: 'button-1' }), { ...d, build }));
  expect(e.anchor).toBe('build-rejected');
  expect(d.log.lines.join('\n')).toMatch(/fixtures\/map-registry\.ts:\d+:\d+  Map: Espruino has no Map/);
  expect(iot.calls()).toHaveLength(0);
});

test('a document over AWS IoT 32 KB limit is refused before any AWS call', async () => {
  fakeAws(['button-1']);
  const e = await failure(run(opts({ thing: 'button-1' }), deps({ bundle: Buffer.alloc(33 * 1024, 'a') })));
  expect(e.anchor).toBe('update-document-too-large');
  expect(e.message).toContain('32768-byte limit');
  expect(iot.calls()).toHaveLength(0);
});

describe('what the host knows of the running version', () => {
  const took = (version: string) => ({ 'button-1': [{ jobId: 'fw-old', status: 'SUCCEEDED', version }] });
  test('the version it already took: nothing to do', async () => {
    fakeAws(['button-1'], took('0.2.0'));
    expect((await failure(run(opts({ thing: 'button-1' }), deps()))).anchor).toBe('update-same-version');
    expect(created()).toHaveLength(0);
  });
  test('an older version: refused unless --allow-downgrade, which the document then carries', async () => {
    fakeAws(['button-1'], took('0.3.0'));
    const e = await failure(run(opts({ thing: 'button-1' }), deps()));
    expect(e.anchor).toBe('update-older-version');
    expect(e.message).toContain('--allow-downgrade');
    expect(created()).toHaveLength(0);
    await run(opts({ thing: 'button-1', allowDowngrade: true }), deps());
    const doc = readJobDocument(created()[0].document);
    expect(doc.ok && doc.job.allowDowngrade).toBe(true);
  });
  test('a firmware job still pending for the thing: refused (two updates would race)', async () => {
    fakeAws(['button-1'], { 'button-1': [{ jobId: 'fw-0-1-9-x', status: 'IN_PROGRESS', version: '0.1.9' }] });
    const e = await failure(run(opts({ thing: 'button-1' }), deps()));
    expect(e.anchor).toBe('update-in-progress');
    expect(e.message).toContain('--job fw-0-1-9-x --wait');
  });
  test("other jobs in the account are not ours to judge", async () => {
    fakeAws(['button-1'], { 'button-1': [{ jobId: 'rotate-certs', status: 'IN_PROGRESS', version: '9.9.9' }] });
    await run(opts({ thing: 'button-1' }), deps());
    expect(created()).toHaveLength(1);
  });
});

describe('--all: every thing the gateway on this computer serves', () => {
  test("the store's devices, revoked ones left out", async () => {
    const store = join(dir, 'gw');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'devices.json'), JSON.stringify({ a: { certDir: 'a', counter: 1 }, b: { certDir: 'b', counter: 0, revoked: true }, c: { certDir: 'c', counter: 3 } }));
    fakeAws(['a', 'c']);
    await run(opts({ all: true, store }), deps());
    expect(created().map((c) => c.targets)).toEqual([[ARN('a'), ARN('c')]]);
  });
  test('no store here: one sentence, what to do instead', async () => {
    fakeAws([]);
    const e = await failure(run(opts({ all: true, store: join(dir, 'nowhere') }), deps()));
    expect(e.anchor).toBe('update-no-gateway-store');
    expect(e.message).toContain('--things a,b,c');
  });
});

test('more things than AWS IoT takes in one job (100): refused before anything is built or created', async () => {
  fakeAws([]);
  const e = await failure(run(opts({ things: Array.from({ length: 101 }, (_, i) => `b${i}`) }), deps()));
  expect(e.anchor).toBe('update-too-many-things');
  expect(iot.calls()).toHaveLength(0);
});

test('nothing named, or two ways at once: one sentence', async () => {
  fakeAws([]);
  expect((await failure(run(opts({}), deps()))).anchor).toBe('update-no-things');
  expect((await failure(run(opts({ thing: 'a', all: true }), deps()))).anchor).toBe('update-no-things');
  expect((await failure(run(opts({ thing: 'a/b' }), deps()))).anchor).toBe('thing-name-invalid');
});

test('no AWS credentials: a clear error saying how to set them, and no job', async () => {
  iot.reset();
  iot.onAnyCommand().rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  const e = await failure(run(opts({ thing: 'button-1' }), deps()));
  expect(e.anchor).toBe('aws-credentials');
  expect(e.message).toMatch(/^No AWS credentials found: .*--profile NAME, then run npm run update again\.$/);
});

test('npm run update -- --help names every option, who executes the job, Ctrl-C and the IAM permissions', async () => {
  const r = await runTool('tools/cli.ts', ['update', '--help']);
  for (const flag of ['--thing', '--things', '--all', '--wait', '--timeout', '--allow-downgrade', '--job', '--direct', '--endpoint', '--store', '--region', '--profile']) expect(r.stdout).toContain(flag);
  expect(r.stdout).toMatch(/direct-TLS board[\s\S]*--wait is implied/);
  expect(r.stdout).toContain('Ctrl-C stops waiting and leaves the job in AWS');
  expect(r.stdout).toMatch(/iot:DescribeThing, iot:ListJobExecutionsForThing,\s+iot:GetJobDocument, iot:CreateJob, iot:ListJobExecutionsForJob and iot:DescribeJobExecution/);
}, 60000);
