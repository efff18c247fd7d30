// aws-setup --iot-button-compat: the AWS IoT rule that republishes every press on
// <prefix>/+/events/button as the AWS IoT Button's message on iotbutton/<thing>, for every board
// (direct TLS or through a gateway), with the IAM role its action needs. Idempotent; waits out
// IAM's propagation delay; removes the role again if it made it and the rule could not be made.
import type { IoTClient, TopicRulePayload } from '@aws-sdk/client-iot';
import { createHash } from 'node:crypto';
import { UserError } from '../shared/errors';
import { iotButtonRuleSql, iotButtonRuleTopic } from '../shared/iot-button-shape';
import { awsErrorName, toUserError, type AwsContext } from './aws-errors';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Logger } from '../shared/log';
import { createRoleSteps, ROLE_NAME, type RoleSteps } from './iot-button-role';
import type { PolicyScope } from './policy';

type IotSdk = typeof import('@aws-sdk/client-iot');

export const SQL_VERSION = '2016-03-23';

/** One rule per topic prefix; rule names allow only letters, digits and _. */
export function iotButtonRuleName(prefix: string): string {
  const clean = prefix.replace(/[^A-Za-z0-9_]/g, '_');
  const suffix = clean === prefix ? '' : '_' + createHash('sha256').update(prefix).digest('hex').slice(0, 8);
  return `iotbutton_compat_${clean}${suffix}`.slice(0, 128);
}

export function iotButtonRulePayload(prefix: string, roleArn: string): TopicRulePayload {
  return {
    sql: iotButtonRuleSql(prefix),
    awsIotSqlVersion: SQL_VERSION,
    ruleDisabled: false,
    description: `AWS IoT Button messages for Lambdas written for that button: each press on ${prefix}/+/events/button republished on iotbutton/<thing> (made by aws-setup --iot-button-compat).`,
    actions: [{ republish: { topic: iotButtonRuleTopic(prefix), roleArn, qos: 1 } }],
  };
}

function sameRule(found: { sql?: string; awsIotSqlVersion?: string; ruleDisabled?: boolean; actions?: unknown[] } | undefined, want: TopicRulePayload): boolean {
  if (!found) return false;
  const action = (found.actions ?? []) as { republish?: { topic?: string; roleArn?: string; qos?: number } }[];
  const w = want.actions![0].republish!;
  return (
    found.sql === want.sql &&
    found.awsIotSqlVersion === want.awsIotSqlVersion &&
    !found.ruleDisabled &&
    action.length === 1 &&
    action[0].republish?.topic === w.topic &&
    action[0].republish?.roleArn === w.roleArn &&
    (action[0].republish?.qos ?? 0) === w.qos
  );
}

/** AWS IoT's answer while IAM has not yet propagated a role it is to assume. */
function roleNotYetUsable(err: unknown): boolean {
  return awsErrorName(err) === 'InvalidRequestException' && /sts:AssumeRole|assume role/i.test((err as Error).message ?? '');
}

export interface RuleDeps {
  iot: Pick<IoTClient, 'send'>;
  sdk: IotSdk;
  roles: RoleSteps;
  ctx: Omit<AwsContext, 'action'>;
  info: (line: string) => void;
  warn: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** Waits before each retry while the role propagates (ms); about a minute in all by default. */
  retryDelaysMs?: number[];
}

export type RuleOutcome = { rule: 'created' | 'replaced' | 'unchanged'; ruleName: string; roleCreated: boolean; rolePolicyWritten: boolean };

export type IotButtonCompatMode = 'rule' | 'gateway';

/** --iot-button-compat [how]: the rule (the default, every board) or the gateway's copies. */
export function iotButtonCompatMode(value: unknown): IotButtonCompatMode | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true || value === 'rule') return 'rule';
  if (value === 'gateway') return 'gateway';
  throw new UserError(`--iot-button-compat takes nothing (the AWS IoT rule, for every board), "rule" or "gateway" (the gateway's own copies), not "${String(value)}".`, 'aws-iotbutton-rule');
}

/** The rule as AWS holds it, or undefined. A missing rule is UnauthorizedException on AWS, not ResourceNotFound. */
export async function findTopicRule(iot: Pick<IoTClient, 'send'>, sdk: IotSdk, ctx: Omit<AwsContext, 'action'>, ruleName: string) {
  try {
    return (await iot.send(new sdk.GetTopicRuleCommand({ ruleName }))).rule;
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ResourceNotFoundException' || name === 'UnauthorizedException') return undefined;
    throw toUserError(err, { ...ctx, action: 'iot:GetTopicRule' });
  }
}

/** --iot-button-compat gateway: refused while the rule exists, which already makes every copy. */
export async function refuseIfRuleExists(iot: Pick<IoTClient, 'send'>, sdk: IotSdk, ctx: Omit<AwsContext, 'action'>, prefix: string): Promise<void> {
  const ruleName = iotButtonRuleName(prefix);
  if (!(await findTopicRule(iot, sdk, ctx, ruleName))) return;
  throw new UserError(
    `The AWS IoT rule ${ruleName} already makes the iotbutton copy of every press: keep it (aws-setup with --iot-button-compat alone, the gateway without it), or delete it (\`aws iot delete-topic-rule --rule-name ${ruleName}\`) and run again.`,
    'aws-iotbutton-rule',
  );
}

export function createRuleSteps(d: RuleDeps) {
  const { iot, sdk } = d;
  const findRule = (ruleName: string) => findTopicRule(iot, sdk, d.ctx, ruleName);

  /** Create (or replace) the rule, retrying while IAM propagates the role. */
  async function putRule(ruleName: string, payload: TopicRulePayload, exists: boolean): Promise<'created' | 'replaced'> {
    const delays = d.retryDelaysMs ?? [1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000];
    let replace = exists;
    for (let attempt = 0; ; attempt++) {
      const action = replace ? 'iot:ReplaceTopicRule' : 'iot:CreateTopicRule';
      try {
        if (replace) await iot.send(new sdk.ReplaceTopicRuleCommand({ ruleName, topicRulePayload: payload }));
        else await iot.send(new sdk.CreateTopicRuleCommand({ ruleName, topicRulePayload: payload }));
        return replace ? 'replaced' : 'created';
      } catch (err) {
        // GetTopicRule cannot tell a missing rule from a forbidden read: an existing one is replaced.
        if (!replace && awsErrorName(err) === 'ResourceAlreadyExistsException') {
          replace = true;
          attempt--;
          continue;
        }
        if (!roleNotYetUsable(err)) throw toUserError(err, { ...d.ctx, action });
        if (attempt >= delays.length) {
          throw new UserError(
            `AWS IoT still cannot assume IAM role ${ROLE_NAME} after ${Math.round(delays.reduce((a, b) => a + b, 0) / 1000)} s: wait a minute and run aws-setup again (it picks up where it stopped).`,
            'aws-iotbutton-role',
          );
        }
        d.info(`      IAM has not yet made role ${ROLE_NAME} usable by AWS IoT; trying again in ${Math.round(delays[attempt] / 1000)} s (attempt ${attempt + 2} of ${delays.length + 1})`);
        await d.sleep(delays[attempt]);
      }
    }
  }

  return {
    /** The role, then the rule; if the rule fails, a role this run made is removed again. */
    async ensure(scope: PolicyScope, prefix: string): Promise<RuleOutcome> {
      const ruleName = iotButtonRuleName(prefix);
      const found = await findRule(ruleName);
      const role = await d.roles.ensureRole(scope);
      const payload = iotButtonRulePayload(prefix, role.arn);
      if (sameRule(found, payload) && !role.policyWritten) return { rule: 'unchanged', ruleName, roleCreated: false, rolePolicyWritten: false };
      try {
        const rule = sameRule(found, payload) ? 'unchanged' : await putRule(ruleName, payload, !!found);
        return { rule, ruleName, roleCreated: role.created, rolePolicyWritten: role.policyWritten };
      } catch (err) {
        if (role.created) {
          await d.roles.removeRole(scope).then(
            () => d.warn(`removed IAM role ${ROLE_NAME} again, which this run had made for the rule`),
            (e: unknown) => d.warn(`could not remove IAM role ${ROLE_NAME}, which this run made (${(e as Error).message}): delete it or run aws-setup again to reuse it`),
          );
        }
        throw err;
      }
    },
  };
}

export type RuleSteps = ReturnType<typeof createRuleSteps>;

/** aws-setup's step 9: the role and the rule, with what changed; returns the step's line. */
export async function setUpIotButtonRule(a: {
  iot: Pick<IoTClient, 'send'>;
  sdk: IotSdk;
  iam?: Pick<IAMClient, 'send'>;
  scope: PolicyScope;
  topicPrefix: string;
  ctx: Omit<AwsContext, 'action'>;
  log: Logger;
  changes: string[];
  sleep?: (ms: number) => Promise<void>;
}): Promise<string> {
  // Loaded on use, like the IoT SDK: only this option needs IAM.
  const iamSdk = await import('@aws-sdk/client-iam');
  const roles = createRoleSteps(a.iam ?? new iamSdk.IAMClient({ region: a.ctx.region, profile: a.ctx.profile }), iamSdk, a.ctx);
  const sleep = a.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rules = createRuleSteps({ iot: a.iot, sdk: a.sdk, roles, ctx: a.ctx, info: (l) => a.log.info(l), warn: (l) => a.log.warn(l), sleep });
  const r = await rules.ensure(a.scope, a.topicPrefix);
  if (r.roleCreated) a.changes.push(`created IAM role ${ROLE_NAME}`);
  else if (r.rolePolicyWritten) a.changes.push(`wrote the ${a.scope.region} policy of IAM role ${ROLE_NAME}`);
  if (r.rule !== 'unchanged') a.changes.push(`${r.rule} AWS IoT rule ${r.ruleName}`);
  const what = r.rule === 'unchanged' ? 'exists and is up to date' : r.rule;
  return `AWS IoT Button rule ${r.ruleName}: ${what} (each press on ${a.topicPrefix}/+/events/button also on iotbutton/<thing>, republished as IAM role ${ROLE_NAME})`;
}
