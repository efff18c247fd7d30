// aws-setup against a mocked AWS IoT. AWS's control plane cannot be reached from here (this
// machine's network reaches only the npm registry), so IoTClient is mocked with aws-sdk-client-mock;
// the fake (test/support/fake-aws-iot.ts) keeps state the way AWS IoT would (things, certificates
// signed from the CSR, policies with versions, attachments), so re-runs see what earlier runs created.
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { certificateId, loadIdentity } from '../../tools/certificates';
import { run } from '../../tools/aws-setup/run';
import { createMemoryLogger } from '../../tools/shared/log';
import { makeKey, makePki, makeTempDir, type TempDir, type TestPki } from '../support/cert-fixtures';
import { failure } from '../support/user-error';
import { ACCOUNT, ENDPOINT, fakeAwsIot, REGION } from '../support/fake-aws-iot';

const iot = mockClient(IoTClient);

let awsCa: TestPki;
let tmp: TempDir;
let keyPem: string;
beforeAll(() => {
  awsCa = makePki();
  tmp = makeTempDir('aws-setup-');
  keyPem = makeKey('rsa2048', true).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
});
afterAll(() => {
  tmp.remove();
  iot.restore();
});

const fakeAws = () => fakeAwsIot(iot, awsCa);

const callNames = () => iot.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const inputOf = <T>(cmd: new (...a: never[]) => { input: T }, i = 0): T => iot.commandCalls(cmd as never)[i].args[0].input as T;

let n = 0;
function project(): string {
  const cwd = join(tmp.path, `p${n++}`);
  mkdirSync(cwd, { recursive: true });
  return cwd;
}

test('a fresh run makes the calls in order with the right inputs and saves the identity', async () => {
  fakeAws();
  const cwd = project();
  const log = createMemoryLogger();
  const result = await run({ cwd, thing: 'button-1', region: REGION }, { log });

  expect(callNames()).toEqual([
    'DescribeEndpoint',
    'DescribeThing',
    'CreateThing',
    'CreateCertificateFromCsr',
    'GetPolicy',
    'CreatePolicy',
    'ListAttachedPolicies',
    'AttachPolicy',
    'ListThingPrincipals',
    'AttachThingPrincipal',
    // The cloud watcher for npm run monitor.
    'GetPolicy',
    'CreatePolicy',
    'CreateCertificateFromCsr',
    'ListAttachedPolicies',
    'AttachPolicy',
  ]);
  expect(inputOf(DescribeEndpointCommand)).toEqual({ endpointType: 'iot:Data-ATS' });
  expect(inputOf(CreateThingCommand)).toEqual({ thingName: 'button-1' });
  expect(result.kind).toBe('done');
  if (result.kind !== 'done') return;
  const certArn = `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${result.certificateId}`;
  expect(inputOf(CreatePolicyCommand).policyName).toBe('button-1-policy');
  expect(inputOf(AttachPolicyCommand)).toEqual({ policyName: 'button-1-policy', target: certArn });
  expect(inputOf(AttachThingPrincipalCommand)).toEqual({ thingName: 'button-1', principal: certArn });

  // The CSR is for this thing, active at once, and carries the public half of the key on disk.
  const csrInput = inputOf(CreateCertificateFromCsrCommand);
  expect(csrInput.setAsActive).toBe(true);
  const csr = forge.pki.certificationRequestFromPem(csrInput.certificateSigningRequest!);
  expect(csr.subject.getField('CN').value).toBe('button-1');
  const dir = join(cwd, 'certs', 'button-1');
  const savedKey = readFileSync(join(dir, 'private.pem.key'), 'utf8');
  const csrPub = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey!)).export({ type: 'spki', format: 'der' });
  expect(csrPub.equals(createPublicKey(savedKey).export({ type: 'spki', format: 'der' }))).toBe(true);

  // The private key never left the host: no call carries it.
  const body = savedKey.split('\n')[1];
  for (const c of iot.calls()) expect(JSON.stringify((c.args[0] as { input: unknown }).input)).not.toContain(body);
  for (const line of log.lines) expect(line).not.toContain(body);

  expect(statSync(join(dir, 'private.pem.key')).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(join(dir, 'thing.json'), 'utf8'))).toEqual({
    thing: 'button-1',
    endpoint: ENDPOINT,
    port: 8883,
    region: REGION,
    certificateId: result.certificateId,
    certificateArn: certArn,
    policyName: 'button-1-policy',
  });
  // What provision will load: the saved pair matches, and is RSA 2048 for direct TLS.
  const identity = loadIdentity({ cwd, thing: 'button-1', directTls: true });
  expect(identity.thingFromCert).toBe('button-1');
  expect(identity.certificateId).toBe(result.certificateId);
  expect(log.lines.filter((l) => /^\[\d\/8\]/.test(l))).toHaveLength(8);
  // Nothing left to download by hand: the Next line names only commands, each one this CLI has.
  const next = log.lines.find((l) => l.startsWith('Next:'))!;
  expect(next).not.toMatch(/download|AmazonRootCA1/);
  expect(next).toContain('`npm run provision -- --thing button-1 --wifi-ssid YOUR_WIFI`');
  const scripts = Object.keys(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).scripts);
  for (const [, script] of next.matchAll(/`npm run ([\w-]+)/g)) expect(scripts).toContain(script);
});

test('the policy is least privilege: its own client id, its own topics and shadow, the Jobs topics an executor uses, nothing else', async () => {
  fakeAws();
  await run({ cwd: project(), thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const doc = JSON.parse(inputOf(CreatePolicyCommand).policyDocument!);
  const T = '${iot:Connection.Thing.ThingName}';
  const CN = '${iot:Certificate.Subject.CommonName}';
  const J = `$aws/things/${CN}/jobs/`;
  const p = `arn:aws:iot:${REGION}:${ACCOUNT}:`;
  expect(doc).toEqual({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${p}client/${T}`, Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: [`${p}topic/devices/${T}/*`, `${p}topic/$aws/things/${T}/shadow/*`] },
      { Effect: 'Allow', Action: 'iot:RetainPublish', Resource: `${p}topic/devices/${T}/status` },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: [
          `${p}topicfilter/devices/${T}/*`,
          `${p}topicfilter/$aws/things/${T}/shadow/*`,
          `${p}topicfilter/$aws/things/${T}/jobs/notify-next`,
          `${p}topicfilter/$aws/things/${T}/jobs/start-next/accepted`,
          `${p}topicfilter/$aws/things/${T}/jobs/start-next/rejected`,
          `${p}topicfilter/$aws/things/${T}/jobs/+/update/accepted`,
          `${p}topicfilter/$aws/things/${T}/jobs/+/update/rejected`,
        ],
      },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: [`${p}topic/$aws/things/${T}/jobs/start-next`, `${p}topic/$aws/things/${T}/jobs/*/update`] },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: [
          `${p}topic/$aws/things/${T}/jobs/notify-next`,
          `${p}topic/$aws/things/${T}/jobs/start-next/accepted`,
          `${p}topic/$aws/things/${T}/jobs/start-next/rejected`,
          `${p}topic/$aws/things/${T}/jobs/*/update/accepted`,
          `${p}topic/$aws/things/${T}/jobs/*/update/rejected`,
        ],
      },
      // npm run update for a direct-TLS board: the same certificate as <thing>-update, its jobs and ota topics only.
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${p}client/${CN}-update` },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: [`${p}topic/${J}start-next`, `${p}topic/${J}*/update`, `${p}topic/devices/${CN}/ota/in`] },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: [`${p}topicfilter/${J}start-next/accepted`, `${p}topicfilter/${J}start-next/rejected`, `${p}topicfilter/${J}+/update/accepted`, `${p}topicfilter/${J}+/update/rejected`, `${p}topicfilter/devices/${CN}/ota/out`],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: [`${p}topic/${J}start-next/accepted`, `${p}topic/${J}start-next/rejected`, `${p}topic/${J}*/update/accepted`, `${p}topic/${J}*/update/rejected`, `${p}topic/devices/${CN}/ota/out`],
      },
    ],
  });
  const statements = doc.Statement as { Effect: string; Action: string | string[]; Resource: string | string[] }[];
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    for (const a of [s.Action].flat()) expect(a).not.toMatch(/\*/);
    for (const r of [s.Resource].flat()) {
      expect(r.startsWith(p)).toBe(true);
      expect(r.includes(T) || r.includes(CN)).toBe(true);
    }
  }
});

test('a re-run is idempotent: no second thing, certificate, policy or attachment, and the key stays', async () => {
  const aws = fakeAws();
  const cwd = project();
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const keyPath = join(cwd, 'certs', 'button-1', 'private.pem.key');
  const before = { key: readFileSync(keyPath, 'utf8'), mtime: statSync(keyPath).mtimeMs };
  iot.resetHistory();

  const log = createMemoryLogger();
  const again = await run({ cwd, thing: 'button-1', region: REGION }, { log, generateKey: async () => Promise.reject(new Error('must not generate a key')) });
  expect(callNames()).toEqual(['DescribeEndpoint', 'DescribeThing', 'DescribeCertificate', 'GetPolicy', 'ListAttachedPolicies', 'ListThingPrincipals', 'GetPolicy', 'ListAttachedPolicies']);
  expect(again.kind === 'done' && again.changes).toEqual([]);
  expect(aws.things.size).toBe(1);
  expect(aws.certs.size).toBe(2); // the thing's and the cloud watcher's
  expect(aws.policies.get('button-1-policy')).toHaveLength(1);
  expect(readFileSync(keyPath, 'utf8')).toBe(before.key);
  expect(statSync(keyPath).mtimeMs).toBe(before.mtime);
  expect(log.lines.join('\n')).toMatch(/nothing to change/);
});

test("a re-run keeps the board's mode that provision recorded in thing.json (npm run update reads it)", async () => {
  fakeAws();
  const cwd = project();
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const file = join(cwd, 'certs', 'button-1', 'thing.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), mode: 'direct' }));
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  expect(JSON.parse(readFileSync(file, 'utf8')).mode).toBe('direct');
});

test('a run stopped after the key was written reuses that key instead of replacing it', async () => {
  fakeAws();
  const cwd = project();
  const dir = join(cwd, 'certs', 'button-1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'private.pem.key'), keyPem, { mode: 0o600 });
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => Promise.reject(new Error('must not generate a key')) });
  expect(readFileSync(join(dir, 'private.pem.key'), 'utf8')).toBe(keyPem);
  const cert = new X509Certificate(readFileSync(join(dir, 'certificate.pem.crt')));
  const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ format: 'der', type: 'spki' });
  expect(spki(cert.publicKey).equals(spki(createPublicKey(keyPem)))).toBe(true);
});

test('a policy that differs gets a new default version; at five versions it says how to make room', async () => {
  const aws = fakeAws();
  aws.policies.set('button-1-policy', ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}']);
  const cwd = project();
  const log = createMemoryLogger();
  await run({ cwd, thing: 'button-1', region: REGION }, { log, generateKey: async () => keyPem });
  expect(callNames()).toContain('CreatePolicyVersion');
  expect(iot.commandCalls(CreatePolicyCommand).map((c) => c.args[0].input.policyName)).not.toContain('button-1-policy');
  expect(inputOf(CreatePolicyVersionCommand).setAsDefault).toBe(true);
  expect(log.lines.join('\n')).toMatch(/version 2 is now the default/);

  aws.policies.set('button-1-policy', Array(5).fill('{"Version":"2012-10-17","Statement":[]}'));
  const err = await failure(run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('aws-policy-versions');
  expect(err.message).toMatch(/delete-policy-version/);
});

test('--topic-prefix puts the prefix in the policy and in thing.json, for provision to use', async () => {
  fakeAws();
  const cwd = project();
  await run({ cwd, thing: 'button-1', region: REGION, topicPrefix: 'plant-7/buttons' }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const doc = inputOf(CreatePolicyCommand).policyDocument!;
  expect(doc).toContain('topic/plant-7/buttons/${iot:Connection.Thing.ThingName}/*');
  expect(doc).toContain('topic/plant-7/buttons/${iot:Connection.Thing.ThingName}/status');
  expect(doc).not.toContain('devices/');
  expect(JSON.parse(readFileSync(join(cwd, 'certs', 'button-1', 'thing.json'), 'utf8')).topicPrefix).toBe('plant-7/buttons');
  await expect(run({ cwd: project(), thing: 'button-2', region: REGION, topicPrefix: '/x' }, { log: createMemoryLogger() })).rejects.toThrow(/must be 1\.\.64 characters/);
});

test('--dry-run makes no AWS call and writes nothing, and lists the calls it would make', async () => {
  fakeAws();
  const cwd = project();
  const log = createMemoryLogger();
  const result = await run({ cwd, thing: 'button-1', region: REGION, dryRun: true }, { log });
  expect(iot.calls()).toHaveLength(0);
  expect(existsSync(join(cwd, 'certs'))).toBe(false);
  expect(result.kind).toBe('dry-run');
  const text = log.lines.join('\n');
  for (const call of ['DescribeEndpoint', 'DescribeThing', 'CreateThing', 'CreateCertificateFromCsr', 'GetPolicy', 'CreatePolicy', 'AttachPolicy', 'AttachThingPrincipal']) {
    expect(text).toContain(call);
  }
  expect(text).toContain('"endpointType":"iot:Data-ATS"');
  expect(text).toContain('client/${iot:Connection.Thing.ThingName}');
});

test('AWS refusing a call (AccessDenied) becomes a UserError about permissions', async () => {
  fakeAws();
  const denied = Object.assign(new Error('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iot:CreateThing'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
  iot.on(CreateThingCommand).rejects(denied);
  const err = await failure(run({ cwd: project(), thing: 'button-1', region: REGION, profile: 'dev' }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('aws-access-denied');
  expect(err.message).toBe(
    'AWS refused iot:CreateThing to profile dev: grant them the AWS IoT permissions listed in docs/errors.md (or use a --profile that has them) and run aws-setup again.',
  );
});

test('missing credentials say how to provide them', async () => {
  fakeAws();
  const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  iot.on(DescribeEndpointCommand).rejects(noCreds);
  const err = await failure(run({ cwd: project(), thing: 'button-1', region: REGION }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('aws-credentials');
  expect(err.message).toMatch(/^No AWS credentials found: run `aws configure`.*--profile NAME/);
});

test('no region says to pass --region', async () => {
  fakeAws();
  iot.on(DescribeEndpointCommand).rejects(new Error('Region is missing'));
  const err = await failure(run({ cwd: project(), thing: 'button-1' }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('aws-region');
});

test('a local certificate AWS does not know, or has deactivated, stops with the fix', async () => {
  const aws = fakeAws();
  const cwd = project();
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const id = [...aws.certs.keys()][0];
  aws.certs.get(id)!.status = 'INACTIVE';
  const inactive = await failure(run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger() }));
  expect(inactive.anchor).toBe('aws-cert-inactive');
  expect(inactive.message).toContain(`aws iot update-certificate --certificate-id ${id} --new-status ACTIVE`);
  aws.certs.clear();
  const unknown = await failure(run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger() }));
  expect(unknown.anchor).toBe('aws-cert-unknown');
  expect(iot.commandCalls(CreateCertificateFromCsrCommand)).toHaveLength(2); // the first run's: the thing's and the watcher's
});

test('a certificate downloaded from the console in the folder is not mixed with a new one', async () => {
  fakeAws();
  const cwd = project();
  const dir = join(cwd, 'certs', 'button-1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'abcd1234-certificate.pem.crt'), awsCa.client('button-1').pem);
  const err = await failure(run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('aws-setup-foreign-cert');
  expect(iot.calls()).toHaveLength(0);
});

test('--ca copies a CA certificate into the folder and refuses a leaf', async () => {
  fakeAws();
  const cwd = project();
  const caFile = tmp.write('root.pem', awsCa.ca.pem);
  await run({ cwd, thing: 'button-1', region: REGION, ca: caFile }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  expect(new X509Certificate(readFileSync(join(cwd, 'certs', 'button-1', 'AmazonRootCA1.pem'))).fingerprint256).toBe(new X509Certificate(awsCa.ca.pem).fingerprint256);

  const leaf = tmp.write('leaf.pem', awsCa.server.pem);
  const err = await failure(run({ cwd: project(), thing: 'button-1', region: REGION, ca: leaf }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('ca-not-ca');
});

test('a thing name that cannot be a folder and client id is refused before any call', async () => {
  fakeAws();
  const err = await failure(run({ cwd: project(), thing: 'my/button', region: REGION }, { log: createMemoryLogger() }));
  expect(err.anchor).toBe('thing-name-invalid');
  expect(iot.calls()).toHaveLength(0);
});

test('the cloud watcher for monitor: its own key (0600) and certificate, a policy that may only subscribe to and receive events and status', async () => {
  fakeAws();
  const cwd = project();
  await run({ cwd, thing: 'button-1', region: REGION }, { log: createMemoryLogger(), generateKey: async () => keyPem });
  const dir = join(cwd, 'certs', 'cloud-watcher');
  expect(statSync(join(dir, 'private.pem.key')).mode & 0o777).toBe(0o600);
  const cert = new X509Certificate(readFileSync(join(dir, 'certificate.pem.crt')));
  expect(cert.subject).toMatch(/CN=button-monitor/);
  const info = JSON.parse(readFileSync(join(dir, 'watcher.json'), 'utf8'));
  expect(info).toMatchObject({ endpoint: ENDPOINT, port: 8883, clientId: 'button-monitor', policyName: 'button-monitor-policy' });
  const create = iot.commandCalls(CreatePolicyCommand).find((c) => c.args[0].input.policyName === 'button-monitor-policy')!;
  const doc = JSON.parse(create.args[0].input.policyDocument!);
  const p = `arn:aws:iot:${REGION}:${ACCOUNT}:`;
  expect(doc.Statement).toEqual([
    { Effect: 'Allow', Action: 'iot:Connect', Resource: `${p}client/button-monitor` },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [`${p}topicfilter/devices/+/events/button`, `${p}topicfilter/devices/+/status`] },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: [`${p}topic/devices/*/events/button`, `${p}topic/devices/*/status`] },
  ]);
  const attach = iot.commandCalls(AttachPolicyCommand).map((c) => c.args[0].input);
  expect(attach).toContainEqual({ policyName: 'button-monitor-policy', target: info.certificateArn });
});
