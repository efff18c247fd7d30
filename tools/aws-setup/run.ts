// aws-setup: creates (or finds) the thing in AWS IoT with a host-made key and certificate, a
// least-privilege policy and the attachments, and saves the identity in certs/<thing>/.
// Idempotent: re-runs reuse what exists. It never fetches the root CA: the tools take Amazon Root
// CA 1 from Node's own store, and --ca copies another one into the folder.
import type { IoTClient } from '@aws-sdk/client-iot';
import type { IAMClient } from '@aws-sdk/client-iam';
import { join } from 'node:path';
import { CERT_FILE, KEY_FILE, displayPath, certificateId } from '../certificates';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { createCsr, generateDeviceKey } from './device-key';
import { createIotSteps, type IotSteps, type PolicyOutcome } from './iot-steps';
import { inspectFolder, readCa, saveThingFiles, writeCertificate, writePrivateKey, type LocalState } from './local-folder';
import { describePlan } from './plan';
import { Topic, topicPrefixProblem } from '../../firmware/core/wire-contract';
import { leastPrivilegePolicy, policyText, scopeFromArn } from './policy';
import { ensureWatcher, WATCHER_DIR } from './watcher';
import { iotButtonCompatMode, refuseIfRuleExists, setUpIotButtonRule } from './iot-button-rule';
import { ruleSqlPrefixProblem } from '../shared/iot-button-shape';

export interface AwsSetupOptions {
  cwd: string;
  thing: string;
  region?: string;
  profile?: string;
  /** Defaults to `<thing>-policy`. */
  policyName?: string;
  /** The topic prefix the policy allows (default the wire contract's `devices`); provision defaults to it. */
  topicPrefix?: string;
  dryRun?: boolean;
  /** A root CA file (AmazonRootCA1.pem) to copy into certs/<thing>/. */
  ca?: string;
  /**
   * AWS IoT Button messages: true or 'rule' makes the AWS IoT rule (and its IAM role) that
   * republishes every board's presses; 'gateway' instead lets the thing publish iotbutton/<thing>
   * itself, for the gateway's --iot-button-compat where no rule may be made.
   */
  iotButtonCompat?: boolean | string;
}

export interface AwsSetupDeps {
  log: Logger;
  /** Defaults to an IoTClient for the region and profile; tests pass a mocked one. */
  iot?: Pick<IoTClient, 'send'>;
  /** Defaults to an IAMClient (only --iot-button-compat uses IAM); tests pass a mocked one. */
  iam?: Pick<IAMClient, 'send'>;
  /** Waits while IAM propagates a new role (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  generateKey?: () => Promise<string>;
  /** The cloud watcher's key (default: a new RSA 2048 key, as for the thing). */
  generateWatcherKey?: () => Promise<string>;
}

export type AwsSetupResult =
  | { kind: 'dry-run'; calls: string[] }
  | {
      kind: 'done';
      thing: string;
      region: string;
      endpoint: string;
      certificateId: string;
      certificateArn: string;
      policyName: string;
      dir: string;
      /** What this run changed, in AWS or on disk; empty on a run that found everything in place. */
      changes: string[];
    };


export function checkNames(thing: string, policyName: string): void {
  // AWS allows ':' in thing names too, but the name becomes a folder and an MQTT client id here.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(thing)) {
    throw new UserError(`"${thing}" cannot be a thing name here: use 1 to 128 letters, digits, "-" or "_".`, 'thing-name-invalid');
  }
  if (!/^[\w+=,.@-]{1,128}$/.test(policyName)) {
    throw new UserError(`"${policyName}" is not a valid AWS IoT policy name: use 1 to 128 letters, digits or + = , . @ - _.`, 'thing-name-invalid');
  }
}

function describePolicyOutcome(p: PolicyOutcome): string {
  if (p.kind === 'created') return 'created';
  if (p.kind === 'unchanged') return 'exists and is up to date';
  return `differed, so version ${p.version} is now the default (older versions kept; \`aws iot set-default-policy-version\` rolls back)`;
}

export async function run(options: AwsSetupOptions, deps: AwsSetupDeps): Promise<AwsSetupResult> {
  const { log } = deps;
  const { cwd, thing } = options;
  const policyName = options.policyName ?? `${thing}-policy`;
  checkNames(thing, policyName);
  const topicPrefix = options.topicPrefix ?? Topic.DefaultPrefix;
  if (topicPrefixProblem(topicPrefix)) throw new UserError(`--topic-prefix "${topicPrefix}" ${topicPrefixProblem(topicPrefix)}: pass a valid one.`, 'config-invalid');
  const dir = join(cwd, 'certs', thing);
  const show = (p: string) => displayPath(cwd, p);
  const local = inspectFolder(cwd, dir);
  if (local.keyPem) log.addSecret(local.keyPem);
  const caPem = options.ca ? readCa(cwd, options.ca) : undefined;
  const compat = iotButtonCompatMode(options.iotButtonCompat);
  if (compat === 'rule' && ruleSqlPrefixProblem(topicPrefix)) {
    throw new UserError(`--topic-prefix "${topicPrefix}" ${ruleSqlPrefixProblem(topicPrefix)}: use another prefix, or --iot-button-compat gateway.`, 'aws-iotbutton-rule');
  }
  const STEPS = compat === 'rule' ? 9 : 8;

  if (options.dryRun) {
    const calls = describePlan({ thing, policyName, topicPrefix, region: options.region ?? process.env.AWS_REGION, dir: show(dir), certificateId: local.certPem ? certificateId(local.certPem) : undefined, keyExists: !!local.keyPem, ca: !!caPem, iotButtonCompat: compat });
    log.info('Dry run: no AWS calls and no files written. aws-setup would:');
    for (const line of calls) log.info(`  ${line}`);
    return { kind: 'dry-run', calls };
  }

  // Loaded on use: the SDK is large, and a dry run needs none of it.
  const sdk = await import('@aws-sdk/client-iot');
  const client = deps.iot ?? new sdk.IoTClient({ region: options.region, profile: options.profile });
  const aws = createIotSteps(client, sdk, { region: options.region, profile: options.profile });
  const changes: string[] = [];
  const step = (n: number, text: string) => log.info(`[${n}/${STEPS}] ${text}`);

  const endpoint = await aws.endpoint();
  step(1, `ATS data endpoint: ${endpoint}`);

  const thingRes = await aws.ensureThing(thing);
  if (thingRes.created) changes.push(`created thing ${thing}`);
  step(2, `Thing ${thing}: ${thingRes.created ? 'created' : 'exists'}`);
  const scope = scopeFromArn(thingRes.arn);

  const cert = await ensureCertificate({ aws, local, dir, thing, region: scope.region, show, step, changes, log, generateKey: deps.generateKey ?? generateDeviceKey });

  // The rule and the gateway's copies together would deliver each press twice on iotbutton/.
  if (compat === 'gateway') await refuseIfRuleExists(client, sdk, { region: options.region, profile: options.profile }, topicPrefix);
  // With the rule the thing itself never publishes on iotbutton/: its policy stays without it.
  const policy = await aws.ensurePolicy(policyName, policyText(leastPrivilegePolicy(scope, topicPrefix, { iotButton: compat === 'gateway' })));
  if (policy.kind === 'created') changes.push(`created policy ${policyName}`);
  if (policy.kind === 'updated') changes.push(`updated policy ${policyName} to version ${policy.version}`);
  step(5, `Policy ${policyName}: ${describePolicyOutcome(policy)}`);

  const policyAttached = await aws.ensurePolicyAttached(policyName, cert.arn);
  if (policyAttached) changes.push(`attached policy ${policyName} to the certificate`);
  step(6, `Policy ${policyName} on the certificate: ${policyAttached ? 'attached' : 'already attached'}`);

  const principalAttached = await aws.ensurePrincipalAttached(thing, cert.arn);
  if (principalAttached) changes.push(`attached the certificate to thing ${thing}`);
  step(7, `Certificate on thing ${thing}: ${principalAttached ? 'attached' : 'already attached'}`);

  const watcher = await ensureWatcher({ cwd, aws, scope, topicPrefix, endpoint, log, changes, generateKey: deps.generateWatcherKey ?? generateDeviceKey });
  step(8, `Cloud watcher for npm run monitor: ${watcher.clientId} in ${show(join(cwd, WATCHER_DIR))} (subscribe to events and status only)`);

  if (compat === 'rule') {
    step(9, await setUpIotButtonRule({ iot: client, sdk, iam: deps.iam, scope, topicPrefix, ctx: { region: options.region, profile: options.profile }, log, changes, sleep: deps.sleep }));
  }

  const info = { thing, endpoint, port: 8883, region: scope.region, certificateId: cert.id, certificateArn: cert.arn, policyName, ...(topicPrefix === Topic.DefaultPrefix ? {} : { topicPrefix }) };
  for (const written of saveThingFiles(dir, info, caPem)) changes.push(`wrote ${show(written)}`);
  log.info(`Done: ${thing} in ${scope.region}, ${changes.length ? changes.length + ' change(s)' : 'nothing to change'}. Files in ${show(dir)}.`);
  log.info(nextStep(thing));
  return { kind: 'done', thing, region: scope.region, endpoint, certificateId: cert.id, certificateArn: cert.arn, policyName, dir, changes };
}

/** The README's next steps, as commands that run as they are (a test runs the README). */
export function nextStep(thing: string): string {
  return `Next: for a stock ESP8266 (no TLS), start \`npm run gateway\` on a computer in the board's network; then \`npm run provision -- --thing ${thing} --wifi-ssid YOUR_WIFI\` and \`npm run flash\`.`;
}

interface CertificateArgs {
  aws: IotSteps;
  local: LocalState;
  dir: string;
  thing: string;
  region: string;
  show: (p: string) => string;
  step: (n: number, text: string) => void;
  changes: string[];
  log: Logger;
  generateKey: () => Promise<string>;
}

/**
 * Steps 3 and 4: reuse the folder's certificate if AWS knows it and it is active; otherwise make
 * the key (or reuse one an interrupted run left, never replacing it) and a certificate from its CSR.
 */
async function ensureCertificate(a: CertificateArgs): Promise<{ arn: string; id: string }> {
  const certPath = join(a.dir, CERT_FILE);
  const keyPath = join(a.dir, KEY_FILE);
  if (a.local.certPem) {
    const id = certificateId(a.local.certPem);
    const short = `${id.slice(0, 12)}…`;
    const desc = await a.aws.describeCertificate(id);
    if (!desc) {
      throw new UserError(
        `AWS IoT in ${a.region} does not know ${a.show(certPath)} (certificate ${short}): pass the --region/--profile it was made with, or move ${a.show(a.dir)} aside to create a new identity.`,
        'aws-cert-unknown',
      );
    }
    if (desc.status !== 'ACTIVE' || !desc.arn) {
      throw new UserError(
        `Certificate ${short} is ${desc.status ?? 'unknown'} in AWS IoT: activate it (\`aws iot update-certificate --certificate-id ${id} --new-status ACTIVE\`) or move ${a.show(a.dir)} aside to create a new one.`,
        'aws-cert-inactive',
      );
    }
    a.step(3, `Key: keeping ${a.show(keyPath)}`);
    a.step(4, `Certificate ${short}: active in AWS, reused`);
    return { arn: desc.arn, id };
  }
  let keyPem = a.local.keyPem;
  if (keyPem) {
    a.step(3, `Key: reusing ${a.show(keyPath)} (an earlier run stopped before its certificate was saved)`);
  } else {
    keyPem = await a.generateKey();
    a.log.addSecret(keyPem);
    writePrivateKey(a.dir, keyPem);
    a.changes.push(`wrote ${a.show(keyPath)}`);
    a.step(3, `Key: generated RSA 2048 in ${a.show(keyPath)} (mode 0600; it never leaves this computer)`);
  }
  const created = await a.aws.createCertificate(createCsr(keyPem, a.thing));
  writeCertificate(a.dir, created.pem);
  a.changes.push(`created certificate ${created.id}`);
  a.step(4, `Certificate ${created.id.slice(0, 12)}…: created and active, saved to ${a.show(certPath)}`);
  return { arn: created.arn, id: created.id };
}
