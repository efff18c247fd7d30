// What a dry run prints: the AWS calls aws-setup would make, with their inputs, and the files it
// would write. Pure: it calls nothing and knows only what is on disk already.
import { CA_FILE, CERT_FILE, KEY_FILE } from '../certificates';
import { leastPrivilegePolicy, policyText, type PolicyScope } from './policy';
import { iotButtonRuleName, iotButtonRulePayload, type IotButtonCompatMode } from './iot-button-rule';
import { ROLE_NAME, republishPolicy, rolePolicyName, trustPolicy } from './iot-button-role';

export interface PlanInput {
  thing: string;
  policyName: string;
  topicPrefix?: string;
  region?: string;
  /** certs/<thing>/ as the user sees it. */
  dir: string;
  /** The ID of a certificate already in the folder. */
  certificateId?: string;
  keyExists: boolean;
  ca: boolean;
  iotButtonCompat?: IotButtonCompatMode;
}

export function describePlan(p: PlanInput): string[] {
  const j = (o: object) => JSON.stringify(o);
  const certArn = '<certificate ARN>';
  // The account comes from the thing's ARN, known only once AWS answers.
  const scope: PolicyScope = { partition: 'aws', region: p.region ?? '<region>', account: '<account>' };
  const policy = policyText(leastPrivilegePolicy(scope, p.topicPrefix, { iotButton: p.iotButtonCompat === 'gateway' }));
  const prefix = p.topicPrefix ?? 'devices';
  const lines = [
    `1. DescribeEndpoint ${j({ endpointType: 'iot:Data-ATS' })}`,
    `2. DescribeThing ${j({ thingName: p.thing })}, then CreateThing ${j({ thingName: p.thing })} if it does not exist`,
  ];
  if (p.certificateId) {
    lines.push(`3. keep ${p.dir}/${KEY_FILE}`);
    lines.push(`4. DescribeCertificate ${j({ certificateId: p.certificateId })}: reuse ${p.dir}/${CERT_FILE} if it is ACTIVE`);
  } else {
    lines.push(p.keyExists ? `3. reuse ${p.dir}/${KEY_FILE}` : `3. generate an RSA 2048 key into ${p.dir}/${KEY_FILE} (mode 0600)`);
    lines.push(`4. CreateCertificateFromCsr ${j({ certificateSigningRequest: `<CSR for CN=${p.thing}>`, setAsActive: true })}, saved as ${p.dir}/${CERT_FILE}`);
  }
  if (p.iotButtonCompat === 'gateway') lines.push(`   GetTopicRule ${j({ ruleName: iotButtonRuleName(prefix) })}: stop if the AWS IoT Button rule exists (it already makes the copies)`);
  lines.push(
    `5. GetPolicy ${j({ policyName: p.policyName })}, then CreatePolicy if it does not exist, or CreatePolicyVersion (setAsDefault) if it differs from:`,
    ...policy.split('\n').map((l) => `   ${l}`),
    `6. ListAttachedPolicies ${j({ target: certArn })}, then AttachPolicy ${j({ policyName: p.policyName, target: certArn })} unless attached`,
    `7. ListThingPrincipals ${j({ thingName: p.thing })}, then AttachThingPrincipal ${j({ thingName: p.thing, principal: certArn })} unless attached`,
    `8. the cloud watcher for npm run monitor: GetPolicy/CreatePolicy button-monitor-policy (iot:Connect as button-monitor; iot:Subscribe and iot:Receive on devices/+/events/button and devices/+/status only), unless certs/cloud-watcher/ holds one already a key (0600) and CreateCertificateFromCsr for CN=button-monitor, then AttachPolicy`,
    ...(p.iotButtonCompat === 'rule' ? ruleLines(scope, prefix) : []),
    `then write ${p.dir}/thing.json${p.ca ? ` and ${p.dir}/${CA_FILE}` : ''} and certs/cloud-watcher/watcher.json`,
  );
  return lines;
}

/** Step 9 with --iot-button-compat: the IAM role and the AWS IoT rule, with their documents. */
function ruleLines(scope: PolicyScope, prefix: string): string[] {
  const j = (o: object) => JSON.stringify(o);
  const roleArn = `arn:aws:iam::<account>:role/${ROLE_NAME}`;
  return [
    `9. the AWS IoT Button rule: GetTopicRule ${j({ ruleName: iotButtonRuleName(prefix) })}; GetRole ${j({ RoleName: ROLE_NAME })}, then unless it exists CreateRole with the trust policy ${j(trustPolicy())}`,
    `   GetRolePolicy, then PutRolePolicy ${j({ RoleName: ROLE_NAME, PolicyName: rolePolicyName(scope.region) })} unless up to date: ${j(republishPolicy(scope))}`,
    `   CreateTopicRule (ReplaceTopicRule if it differs; retried while IAM propagates the role) ${j({ ruleName: iotButtonRuleName(prefix), topicRulePayload: iotButtonRulePayload(prefix, roleArn) })}`,
  ];
}
