// The least-privilege AWS IoT policy for a button: connect only as its own thing name, publish and
// receive only under its own topics and shadow. Builds and compares documents; calls no AWS API.
import { eventFilter, eventTopic, statusFilter, statusTopic, Topic } from '../../firmware/core/wire-contract';
import { executorFilters, JobsTopic } from '../ota/jobs-topics';
import { updateClientStatements } from './update-client-policy';

export interface PolicyStatement {
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Where the policy applies: taken from the thing's ARN (arn:<partition>:iot:<region>:<account>:thing/<name>). */
export interface PolicyScope {
  partition: string;
  region: string;
  account: string;
}

export function scopeFromArn(arn: string): PolicyScope {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'iot') throw new Error(`not an AWS IoT ARN: ${arn}`);
  return { partition: parts[1], region: parts[3], account: parts[4] };
}

// A policy variable, not a template placeholder: AWS substitutes the connected thing's name, so one
// document fits every thing and a certificate can never act as another thing.
const THING = '${iot:Connection.Thing.ThingName}';

/**
 * - iot:Connect on client/<thing name>, and only while the certificate is attached to that thing
 *   (IsAttached), so a leaked certificate cannot connect under another client id.
 * - iot:Publish and iot:Receive on topic/<prefix>/<thing>/* (button events, status) and on its shadow.
 * - iot:RetainPublish only on <prefix>/<thing>/status: the firmware's retained online/offline
 *   availability message and Will. AWS refuses a retained publish without it.
 * - iot:Subscribe on the same places as topic filters (Subscribe is checked on topicfilter/).
 * - AWS IoT Jobs, for the gateway executing firmware updates as the thing: publish start-next and
 *   <jobId>/update, subscribe to and receive notify-next and those two requests' accepted/rejected
 *   replies, nothing else under $aws/things/<thing>/jobs/ (jobs-topics.ts lists them).
 * - `npm run update` for a direct-TLS board: client <thing>-update, the thing's jobs and ota
 *   topics only (update-client-policy.ts).
 */
export function leastPrivilegePolicy(scope: PolicyScope, topicPrefix: string = Topic.DefaultPrefix, o: { iotButton?: boolean } = {}): PolicyDocument {
  const arn = (kind: string, rest: string) => `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${kind}/${rest}`;
  // The wire contract's topics, with the policy variable for the thing.
  const own = `${topicPrefix}/${THING}/`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn('client', THING),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: [arn('topic', `${own}*`), arn('topic', `$aws/things/${THING}/shadow/*`)],
      },
      // --iot-button-compat gateway: the gateway publishes each press also as the AWS IoT Button did (the rule needs no right here).
      ...(o.iotButton ? [{ Effect: 'Allow' as const, Action: 'iot:Publish', Resource: arn('topic', `iotbutton/${THING}`) }] : []),
      {
        Effect: 'Allow',
        Action: 'iot:RetainPublish',
        Resource: arn('topic', own + Topic.Status),
      },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: [arn('topicfilter', `${own}*`), arn('topicfilter', `$aws/things/${THING}/shadow/*`), ...executorFilters(THING).map((f) => arn('topicfilter', f))],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: [arn('topic', JobsTopic.startNext(THING)), arn('topic', JobsTopic.update(THING, '*'))],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        // '+' is a filter's wildcard; in a topic resource the policy's wildcard is '*'.
        Resource: executorFilters(THING).map((f) => arn('topic', f.replace('+', '*'))),
      },
      ...updateClientStatements(arn, topicPrefix),
    ],
  };
}

export function policyText(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}

// Key order and whitespace do not change a policy's meaning; AWS also hands documents back
// reformatted, so comparing text would report a change on every run.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Whether two policy documents (JSON text) say the same thing. Unparseable text never matches. */
export function samePolicy(a: string, b: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return false;
  }
}

/** The client id of the cloud watcher identity aws-setup makes for `npm run monitor`. */
export const WATCHER_CLIENT_ID = 'button-monitor';

/**
 * The cloud watcher's policy: connect as WATCHER_CLIENT_ID, subscribe to and receive every
 * button's events and status, nothing else (no publish, no shadow, no other topics).
 */
export function watcherPolicy(scope: PolicyScope, prefix: string = Topic.DefaultPrefix): PolicyDocument {
  const arn = (kind: string, rest: string) => `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${kind}/${rest}`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', WATCHER_CLIENT_ID) },
      // Subscribe is checked against the filter as written: '+' is a literal here.
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [arn('topicfilter', eventFilter(prefix)), arn('topicfilter', statusFilter(prefix))] },
      // Receive is checked against each message's topic: '*' is the policy wildcard there.
      { Effect: 'Allow', Action: 'iot:Receive', Resource: [arn('topic', eventTopic(prefix, '*')), arn('topic', statusTopic(prefix, '*'))] },
    ],
  };
}
