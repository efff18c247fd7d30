// aws-setup --iot-button-compat: the AWS IoT rule that gives every board's presses the AWS IoT
// Button's shape on iotbutton/<thing>, and the IAM role its republish action runs as.
// AWS's control plane (IoT and IAM) cannot run here, so both clients are mocked with
// aws-sdk-client-mock; the fakes keep state as AWS would (roles, inline policies URL-encoded as IAM
// returns them, rules; a missing rule answers UnauthorizedException as AWS IoT does), and can play
// IAM's propagation delay: CreateTopicRule refusing a just-made role.
import { CreateTopicRuleCommand, CreatePolicyCommand, GetTopicRuleCommand, InvalidRequestException, IoTClient, ReplaceTopicRuleCommand, ResourceAlreadyExistsException, UnauthorizedException } from '@aws-sdk/client-iot';
import { CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../tools/aws-setup/run';
import { createMemoryLogger } from '../../tools/shared/log';
import { makeKey, makePki, makeTempDir, type TempDir, type TestPki } from '../support/cert-fixtures';
import { failure } from '../support/user-error';
import { ACCOUNT, fakeAwsIot, REGION } from '../support/fake-aws-iot';

const iot = mockClient(IoTClient);
const iam = mockClient(IAMClient);
const ROLE = 'iotbutton-compat-republish';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const RULE = 'iotbutton_compat_devices';
const SQL =
  "SELECT topic(2) AS serialNumber, '5000mV' AS batteryVoltage, CASE clickType WHEN 'SINGLE' THEN 'SINGLE' WHEN 'DOUBLE' THEN 'DOUBLE' WHEN 'LONG' THEN 'LONG' END AS clickType " +
  "FROM 'devices/+/events/button' WHERE clickType = 'SINGLE' OR clickType = 'DOUBLE' OR clickType = 'LONG'";
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const PUBLISH_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:${REGION}:${ACCOUNT}:topic/iotbutton/*` }] };
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 403 } });

let awsCa: TestPki;
let tmp: TempDir;
let keyPem: string;
beforeAll(() => {
  awsCa = makePki();
  tmp = makeTempDir('aws-setup-rule-');
  keyPem = makeKey('rsa2048', true).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
});
afterAll(() => {
  tmp.remove();
  iot.restore();
  iam.restore();
});

interface Cloud {
  roles: Map<string, { arn: string; trust: string }>;
  rolePolicies: Map<string, string>;
  rules: Map<string, Record<string, unknown>>;
  /** CreateTopicRule/ReplaceTopicRule refuse the role this many more times (IAM propagating). */
  notYetAssumable: number;
}

function fakeCloud(): Cloud {
  fakeAwsIot(iot, awsCa);
  iam.reset();
  const c: Cloud = { roles: new Map(), rolePolicies: new Map(), rules: new Map(), notYetAssumable: 0 };
  const noSuch = (what: string) => new NoSuchEntityException({ message: `${what} cannot be found.`, $metadata: {} });
  iam.on(GetRoleCommand).callsFake(({ RoleName }) => {
    const r = c.roles.get(RoleName);
    if (!r) throw noSuch(`The role with name ${RoleName}`);
    return { Role: { RoleName, Arn: r.arn, AssumeRolePolicyDocument: encodeURIComponent(r.trust), Path: '/', RoleId: 'AROA1', CreateDate: new Date() } };
  });
  iam.on(CreateRoleCommand).callsFake(({ RoleName, AssumeRolePolicyDocument }) => {
    c.roles.set(RoleName, { arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`, trust: AssumeRolePolicyDocument });
    return { Role: { RoleName, Arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`, Path: '/', RoleId: 'AROA1', CreateDate: new Date() } };
  });
  iam.on(GetRolePolicyCommand).callsFake(({ RoleName, PolicyName }) => {
    const doc = c.rolePolicies.get(`${RoleName}/${PolicyName}`);
    if (!doc) throw noSuch(`The role policy with name ${PolicyName}`);
    return { RoleName, PolicyName, PolicyDocument: encodeURIComponent(doc) };
  });
  iam.on(PutRolePolicyCommand).callsFake(({ RoleName, PolicyName, PolicyDocument }) => {
    c.rolePolicies.set(`${RoleName}/${PolicyName}`, PolicyDocument);
    return {};
  });
  iam.on(DeleteRolePolicyCommand).callsFake(({ RoleName, PolicyName }) => {
    if (!c.rolePolicies.delete(`${RoleName}/${PolicyName}`)) throw noSuch(PolicyName);
    return {};
  });
  iam.on(DeleteRoleCommand).callsFake(({ RoleName }) => {
    if ([...c.rolePolicies.keys()].some((k) => k.startsWith(`${RoleName}/`))) throw sdkError('DeleteConflictException', 'Cannot delete entity, must delete policies first.');
    c.roles.delete(RoleName);
    return {};
  });
  iot.on(GetTopicRuleCommand).callsFake(({ ruleName }) => {
    const rule = c.rules.get(ruleName);
    // What AWS IoT answers for a rule that does not exist.
    if (!rule) throw new UnauthorizedException({ message: 'Access to this resource is not authorized', $metadata: {} });
    return { ruleArn: `arn:aws:iot:${REGION}:${ACCOUNT}:rule/${ruleName}`, rule: { ruleName, ...rule } };
  });
  const put = (replace: boolean) => ({ ruleName, topicRulePayload }: { ruleName?: string; topicRulePayload?: Record<string, unknown> }) => {
    if (!replace && c.rules.has(ruleName!)) throw new ResourceAlreadyExistsException({ message: `${ruleName} already exists`, $metadata: {}, resourceId: ruleName });
    if (c.notYetAssumable > 0) {
      c.notYetAssumable--;
      throw new InvalidRequestException({ message: `AWS IoT (iot.amazonaws.com) is unable to assume role (sts:AssumeRole) on resource: ${ROLE_ARN}. If the role was just created or updated, please try again in a few seconds.`, $metadata: {} });
    }
    c.rules.set(ruleName!, { ...topicRulePayload });
    return {};
  };
  iot.on(CreateTopicRuleCommand).callsFake(put(false));
  iot.on(ReplaceTopicRuleCommand).callsFake(put(true));
  return c;
}

let n = 0;
function project(): string {
  const cwd = join(tmp.path, `p${n++}`);
  mkdirSync(cwd, { recursive: true });
  return cwd;
}

const iamCalls = () => iam.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const ruleCalls = () => iot.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, '')).filter((x) => /TopicRule/.test(x));
const noWait = { sleep: async () => undefined };
const setup = (cwd: string, extra: object = {}, log = createMemoryLogger()) =>
  run({ cwd, thing: 'button-1', region: REGION, iotButtonCompat: true, ...extra }, { log, generateKey: async () => keyPem, generateWatcherKey: async () => keyPem, iam: new IAMClient({}), ...noWait });

test('a fresh run makes the role (trusted by AWS IoT, may only publish on iotbutton/*) and the rule, with these inputs', async () => {
  const cloud = fakeCloud();
  const log = createMemoryLogger();
  const result = await setup(project(), {}, log);

  expect(iamCalls()).toEqual(['GetRole', 'CreateRole', 'PutRolePolicy']);
  const role = iam.commandCalls(CreateRoleCommand)[0].args[0].input;
  expect(role.RoleName).toBe(ROLE);
  expect(JSON.parse(role.AssumeRolePolicyDocument!)).toEqual(TRUST);
  const policy = iam.commandCalls(PutRolePolicyCommand)[0].args[0].input;
  expect(policy).toMatchObject({ RoleName: ROLE, PolicyName: `iotbutton-republish-${REGION}` });
  expect(JSON.parse(policy.PolicyDocument!)).toEqual(PUBLISH_ONLY);

  expect(ruleCalls()).toEqual(['GetTopicRule', 'CreateTopicRule']);
  const rule = iot.commandCalls(CreateTopicRuleCommand)[0].args[0].input;
  expect(rule.ruleName).toBe(RULE);
  expect(rule.topicRulePayload).toMatchObject({ sql: SQL, awsIotSqlVersion: '2016-03-23', ruleDisabled: false, actions: [{ republish: { topic: 'iotbutton/${topic(2)}', roleArn: ROLE_ARN, qos: 1 } }] });
  expect(cloud.rules.has(RULE)).toBe(true);

  // The rule publishes, not the thing: its policy stays without iotbutton/.
  const thingPolicy = iot.commandCalls(CreatePolicyCommand).find((c) => c.args[0].input.policyName === 'button-1-policy')!.args[0].input.policyDocument!;
  expect(thingPolicy).not.toContain('iotbutton');
  expect(result.kind === 'done' && result.changes).toEqual(expect.arrayContaining([`created IAM role ${ROLE}`, `created AWS IoT rule ${RULE}`]));
  expect(log.lines.filter((l) => /^\[\d\/9\]/.test(l))).toHaveLength(9);
  expect(log.lines.find((l) => l.startsWith('[9/9]'))).toMatch(/AWS IoT Button rule iotbutton_compat_devices: created/);
});

test('a re-run finds the role, its policy and the rule up to date and changes nothing', async () => {
  fakeCloud();
  const cwd = project();
  await setup(cwd);
  iot.resetHistory();
  iam.resetHistory();
  const again = await setup(cwd);
  expect(iamCalls()).toEqual(['GetRole', 'GetRolePolicy']);
  expect(ruleCalls()).toEqual(['GetTopicRule']);
  expect(again.kind === 'done' && again.changes).toEqual([]);
});

test('an existing role is reused (a policy added for this region), and a rule that differs is replaced', async () => {
  const cloud = fakeCloud();
  cloud.roles.set(ROLE, { arn: ROLE_ARN, trust: JSON.stringify(TRUST) });
  cloud.rolePolicies.set(`${ROLE}/iotbutton-republish-us-east-1`, '{"Version":"2012-10-17","Statement":[]}');
  cloud.rules.set(RULE, { sql: "SELECT * FROM 'devices/+/events/button'", awsIotSqlVersion: '2016-03-23', ruleDisabled: false, actions: [{ republish: { topic: 'iotbutton/${topic(2)}', roleArn: ROLE_ARN } }] });
  const result = await setup(project());
  expect(iamCalls()).toEqual(['GetRole', 'GetRolePolicy', 'PutRolePolicy']);
  expect(ruleCalls()).toEqual(['GetTopicRule', 'ReplaceTopicRule']);
  expect(cloud.rules.get(RULE)!.sql).toBe(SQL);
  expect(cloud.rolePolicies.size).toBe(2); // the other region's policy is left alone
  expect(result.kind === 'done' && result.changes).toEqual(expect.arrayContaining([`wrote the ${REGION} policy of IAM role ${ROLE}`, `replaced AWS IoT rule ${RULE}`]));
});

test('while IAM propagates the new role, CreateTopicRule is retried with backoff and a progress line', async () => {
  const cloud = fakeCloud();
  cloud.notYetAssumable = 2;
  const waits: number[] = [];
  const log = createMemoryLogger();
  await run({ cwd: project(), thing: 'button-1', region: REGION, iotButtonCompat: 'rule' }, { log, generateKey: async () => keyPem, iam: new IAMClient({}), sleep: async (ms) => void waits.push(ms) });
  expect(ruleCalls()).toEqual(['GetTopicRule', 'CreateTopicRule', 'CreateTopicRule', 'CreateTopicRule']);
  expect(waits).toEqual([1000, 2000]);
  expect(log.lines.filter((l) => /IAM has not yet made role iotbutton-compat-republish usable by AWS IoT; trying again in \d+ s/.test(l))).toHaveLength(2);
  expect(cloud.rules.has(RULE)).toBe(true);
});

test('if the role never becomes usable, it says to run again, and removes the role it made', async () => {
  const cloud = fakeCloud();
  cloud.notYetAssumable = 100;
  const log = createMemoryLogger();
  const err = await failure(setup(project(), {}, log));
  expect(err.anchor).toBe('aws-iotbutton-role');
  expect(err.message).toMatch(/^AWS IoT still cannot assume IAM role iotbutton-compat-republish after \d+ s: wait a minute and run aws-setup again/);
  expect(iamCalls().slice(-2)).toEqual(['DeleteRolePolicy', 'DeleteRole']);
  expect(cloud.roles.size).toBe(0);
  expect(cloud.rules.size).toBe(0);
  expect(log.lines.join('\n')).toMatch(/removed IAM role iotbutton-compat-republish again/);
});

test('AWS refusing CreateTopicRule (no permission) removes the role this run made; an older role is kept', async () => {
  const cloud = fakeCloud();
  iot.on(CreateTopicRuleCommand).rejects(sdkError('UnauthorizedException', 'User is not authorized to perform: iot:CreateTopicRule'));
  const err = await failure(setup(project()));
  expect(err.anchor).toBe('aws-access-denied');
  expect(err.message).toMatch(/^AWS refused iot:CreateTopicRule to your AWS credentials: grant them the AWS IoT permissions listed in docs\/errors\.md/);
  expect(cloud.roles.size).toBe(0);

  cloud.roles.set(ROLE, { arn: ROLE_ARN, trust: JSON.stringify(TRUST) });
  await failure(setup(project()));
  expect(cloud.roles.has(ROLE)).toBe(true);
});

test('AWS refusing iam:CreateRole stops before any rule, naming the IAM permissions', async () => {
  const cloud = fakeCloud();
  iam.on(CreateRoleCommand).rejects(sdkError('AccessDenied', 'User is not authorized to perform: iam:CreateRole'));
  const err = await failure(setup(project(), { profile: 'dev' }));
  expect(err.anchor).toBe('aws-access-denied');
  expect(err.message).toBe('AWS refused iam:CreateRole to profile dev: grant them the IAM permissions listed in docs/errors.md (or use a --profile that has them) and run aws-setup again.');
  expect(ruleCalls()).toEqual(['GetTopicRule']);
  expect(cloud.rules.size).toBe(0);
});

test('a role of that name that AWS IoT may not assume is not changed: one sentence, no rule', async () => {
  const cloud = fakeCloud();
  const foreign = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  cloud.roles.set(ROLE, { arn: ROLE_ARN, trust: foreign });
  const err = await failure(setup(project()));
  expect(err.anchor).toBe('aws-iotbutton-role');
  expect(err.message).toMatch(/^IAM role iotbutton-compat-republish exists but does not let iot\.amazonaws\.com assume it: /);
  expect(iamCalls()).toEqual(['GetRole']);
  expect(cloud.roles.get(ROLE)!.trust).toBe(foreign);
  expect(cloud.rules.size).toBe(0);
});

test('--dry-run calls neither IoT nor IAM and prints the role, its policies and the rule', async () => {
  fakeCloud();
  const log = createMemoryLogger();
  const result = await setup(project(), { dryRun: true }, log);
  expect(result.kind).toBe('dry-run');
  expect(iot.calls()).toHaveLength(0);
  expect(iam.calls()).toHaveLength(0);
  const text = log.lines.join('\n');
  expect(text).toContain(`CreateRole with the trust policy ${JSON.stringify(TRUST)}`);
  // The account is known only once AWS answers.
  expect(text).toContain(JSON.stringify(PUBLISH_ONLY).replace(ACCOUNT, '<account>'));
  expect(text).toContain('CreateTopicRule');
  expect(text).toContain(JSON.stringify(SQL));
  expect(text).not.toContain('topic/iotbutton/${iot:Connection.Thing.ThingName}');
});

test('--iot-button-compat gateway widens the thing policy instead and makes no role or rule; refused while the rule exists', async () => {
  const cloud = fakeCloud();
  await setup(project(), { iotButtonCompat: 'gateway' });
  expect(iam.calls()).toHaveLength(0);
  expect(ruleCalls()).toEqual(['GetTopicRule']);
  expect(iot.commandCalls(CreatePolicyCommand)[0].args[0].input.policyDocument).toContain('topic/iotbutton/${iot:Connection.Thing.ThingName}');

  cloud.rules.set(RULE, { sql: SQL });
  iot.resetHistory();
  const err = await failure(setup(project(), { iotButtonCompat: 'gateway' }));
  expect(err.anchor).toBe('aws-iotbutton-rule');
  expect(err.message).toMatch(/^The AWS IoT rule iotbutton_compat_devices already makes the iotbutton copy of every press: /);
  expect(iot.commandCalls(CreatePolicyCommand)).toHaveLength(0);
});

test('a bad --iot-button-compat value, or a prefix the rule cannot quote, is refused before any call', async () => {
  fakeCloud();
  const bad = await failure(setup(project(), { iotButtonCompat: 'lambda' }));
  expect(bad.anchor).toBe('aws-iotbutton-rule');
  expect(bad.message).toMatch(/takes nothing .* "rule" or "gateway" .* not "lambda"\.$/);
  const quote = await failure(setup(project(), { topicPrefix: "bob's" }));
  expect(quote.anchor).toBe('aws-iotbutton-rule');
  expect(iot.calls()).toHaveLength(0);
  expect(iam.calls()).toHaveLength(0);
});
