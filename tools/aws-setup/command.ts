// `aws-setup` options and --help: argv to AwsSetupOptions. The behaviour is run.ts, loaded only
// when the command runs, so other commands do not load the AWS SDK.
import { Command } from 'commander';
import { createLogger } from '../shared/log';

export function define(program: Command): void {
  program
    .command('aws-setup')
    .description('Create the thing in AWS IoT: its certificate (from a key made here), a least-privilege policy, and the attachments; save them to certs/<thing>/.')
    .requiredOption('--thing <name>', 'thing name (also the MQTT client id and the folder certs/<name>/)')
    .option('--region <region>', 'AWS region, e.g. eu-west-1 (default: AWS_REGION or your AWS config)')
    .option('--iot-button-compat [how]', 'also deliver each press as the AWS IoT Button did, {"serialNumber","batteryVoltage","clickType"} on iotbutton/<thing>, for Lambdas written for it: by an AWS IoT rule for every board (default), or "gateway": let the thing publish it itself, for the gateway\'s --iot-button-compat where no IAM role may be made')
    .option('--profile <name>', 'AWS credentials profile (default: AWS_PROFILE or the default profile)')
    .option('--policy-name <name>', 'name of the IoT policy (default: <thing>-policy)')
    .option('--topic-prefix <prefix>', 'topic prefix the policy allows: <prefix>/<thing>/* (default devices); provision uses it too')
    .option('--ca <file>', 'copy this root CA (AmazonRootCA1.pem) into certs/<thing>/')
    .option('--dry-run', 'print the AWS calls it would make; make none and write nothing', false)
    .addHelpText(
      'after',
      `
Runs again safely: an existing thing, active certificate, policy and attachments are reused,
and an existing private key is never overwritten. The private key is made on this computer
(RSA 2048, saved at mode 0600); AWS only sees a certificate signing request.

The thing's policy also lets its certificate connect as <thing>-update, on the thing's jobs and
ota topics only: npm run update uses it to execute a direct-TLS board's firmware jobs itself.

The root CA needs no download: the tools take Amazon Root CA 1 from Node's own root store.
--ca copies another CA file into certs/<thing>/, where it then wins.

It also makes the cloud watcher npm run monitor uses by itself: a key and certificate in
certs/cloud-watcher/ (client id button-monitor) with the policy button-monitor-policy, which
allows iot:Connect as button-monitor, iot:Subscribe on devices/+/events/button and
devices/+/status, and iot:Receive on those topics, nothing else.

Needs AWS credentials allowed to call iot:DescribeEndpoint, DescribeThing, CreateThing,
CreateCertificateFromCsr, DescribeCertificate, GetPolicy, CreatePolicy, CreatePolicyVersion,
ListAttachedPolicies, AttachPolicy, ListThingPrincipals and AttachThingPrincipal.

--iot-button-compat makes the AWS IoT rule iotbutton_compat_<prefix> (one for every thing under
the prefix, direct TLS or through a gateway): each SINGLE, DOUBLE or LONG press is republished on
iotbutton/<thing> as {"serialNumber":"<thing>","batteryVoltage":"5000mV","clickType":...}, by the
IAM role iotbutton-compat-republish (trusted by iot.amazonaws.com only, allowed only iot:Publish on
topic/iotbutton/*). It also needs iot:GetTopicRule, CreateTopicRule, ReplaceTopicRule and
iam:GetRole, CreateRole, GetRolePolicy, PutRolePolicy, PassRole, DeleteRolePolicy, DeleteRole (the
last two only to remove a role it made when the rule then fails).

Examples:
  npm run aws-setup -- --thing button-1 --region eu-west-1 --dry-run
  npm run aws-setup -- --thing button-1 --region eu-west-1 --ca ~/Downloads/AmazonRootCA1.pem
  npm run aws-setup -- --thing button-1 --iot-button-compat`,
    )
    .action(async (o: { thing: string; region?: string; profile?: string; policyName?: string; topicPrefix?: string; ca?: string; dryRun: boolean; iotButtonCompat?: boolean | string }) => {
      const { run } = await import('./run');
      await run({ cwd: process.cwd(), thing: o.thing, region: o.region, profile: o.profile, policyName: o.policyName, topicPrefix: o.topicPrefix, ca: o.ca, dryRun: o.dryRun, iotButtonCompat: o.iotButtonCompat }, { log: createLogger() });
    });
}
