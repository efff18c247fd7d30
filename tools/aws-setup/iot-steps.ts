// The AWS IoT calls aws-setup makes, each one idempotent ("ensure"): look first, create only what
// is missing. Every SDK error leaves here as a UserError where the user can fix it. No files, no logs.
import type { IoTClient } from '@aws-sdk/client-iot';
import { UserError } from '../shared/errors';
import { awsCallers, awsErrorName, toUserError } from './aws-errors';
import { samePolicy } from './policy';

type Sdk = typeof import('@aws-sdk/client-iot');

export interface IotStepsContext {
  region?: string;
  profile?: string;
}

export type PolicyOutcome = { kind: 'created' } | { kind: 'unchanged' } | { kind: 'updated'; version: string };

export function createIotSteps(iot: Pick<IoTClient, 'send'>, sdk: Sdk, ctx: IotStepsContext) {
  const { call, lookup } = awsCallers(ctx, ['ResourceNotFoundException']);

  return {
    async endpoint(): Promise<string> {
      const r = await call('iot:DescribeEndpoint', () => iot.send(new sdk.DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })));
      if (!r.endpointAddress) throw new Error('DescribeEndpoint returned no endpointAddress');
      return r.endpointAddress;
    },

    async ensureThing(thingName: string): Promise<{ arn: string; created: boolean }> {
      const found = await lookup('iot:DescribeThing', () => iot.send(new sdk.DescribeThingCommand({ thingName })));
      const arn = found ? found.thingArn : (await call('iot:CreateThing', () => iot.send(new sdk.CreateThingCommand({ thingName })))).thingArn;
      if (!arn) throw new Error('DescribeThing/CreateThing returned no thingArn');
      return { arn, created: !found };
    },

    /** The certificate's ARN and status, or undefined when AWS does not know it. */
    async describeCertificate(certificateId: string): Promise<{ arn?: string; status?: string } | undefined> {
      const r = await lookup('iot:DescribeCertificate', () => iot.send(new sdk.DescribeCertificateCommand({ certificateId })));
      return r && { arn: r.certificateDescription?.certificateArn, status: r.certificateDescription?.status };
    },

    async createCertificate(csr: string): Promise<{ arn: string; id: string; pem: string }> {
      const r = await call('iot:CreateCertificateFromCsr', () => iot.send(new sdk.CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: true })));
      if (!r.certificateArn || !r.certificateId || !r.certificatePem) throw new Error('CreateCertificateFromCsr returned no certificate');
      return { arn: r.certificateArn, id: r.certificateId, pem: r.certificatePem };
    },

    /** Creates the policy, or a new default version when its document differs (AWS keeps at most 5). */
    async ensurePolicy(policyName: string, policyDocument: string): Promise<PolicyOutcome> {
      const found = await lookup('iot:GetPolicy', () => iot.send(new sdk.GetPolicyCommand({ policyName })));
      if (!found) {
        await call('iot:CreatePolicy', () => iot.send(new sdk.CreatePolicyCommand({ policyName, policyDocument })));
        return { kind: 'created' };
      }
      if (samePolicy(found.policyDocument ?? '', policyDocument)) return { kind: 'unchanged' };
      try {
        const v = await iot.send(new sdk.CreatePolicyVersionCommand({ policyName, policyDocument, setAsDefault: true }));
        return { kind: 'updated', version: v.policyVersionId ?? '?' };
      } catch (err) {
        if (awsErrorName(err) !== 'VersionsLimitExceededException') throw toUserError(err, { ...ctx, action: 'iot:CreatePolicyVersion' });
        throw new UserError(
          `Policy ${policyName} differs from the least-privilege document and already has 5 versions: delete an old one (\`aws iot list-policy-versions --policy-name ${policyName}\`, then \`aws iot delete-policy-version\`) and run again.`,
          'aws-policy-versions',
        );
      }
    },

    /** Attaches the policy to the certificate unless it already is; true when it attached. */
    async ensurePolicyAttached(policyName: string, target: string): Promise<boolean> {
      let marker: string | undefined;
      do {
        const page = await call('iot:ListAttachedPolicies', () => iot.send(new sdk.ListAttachedPoliciesCommand({ target, marker })));
        if ((page.policies ?? []).some((p) => p.policyName === policyName)) return false;
        marker = page.nextMarker;
      } while (marker);
      await call('iot:AttachPolicy', () => iot.send(new sdk.AttachPolicyCommand({ policyName, target })));
      return true;
    },

    /** Attaches the certificate to the thing unless it already is; true when it attached. */
    async ensurePrincipalAttached(thingName: string, principal: string): Promise<boolean> {
      let nextToken: string | undefined;
      do {
        const page = await call('iot:ListThingPrincipals', () => iot.send(new sdk.ListThingPrincipalsCommand({ thingName, nextToken })));
        if ((page.principals ?? []).includes(principal)) return false;
        nextToken = page.nextToken;
      } while (nextToken);
      await call('iot:AttachThingPrincipal', () => iot.send(new sdk.AttachThingPrincipalCommand({ thingName, principal })));
      return true;
    },
  };
}

export type IotSteps = ReturnType<typeof createIotSteps>;
