// The IAM role the AWS IoT Button rule's republish action runs as: trusted by iot.amazonaws.com
// only, allowed only iot:Publish on topic/iotbutton/* in one region (an inline policy per region).
// Reused when it exists; removed again only if this run made it. It never touches other roles.
import type { IAMClient } from '@aws-sdk/client-iam';
import { UserError } from '../shared/errors';
import { awsCallers, awsErrorName, type AwsContext } from './aws-errors';
import { samePolicy, type PolicyScope } from './policy';
import { IOT_BUTTON_ROOT } from '../shared/iot-button-shape';

type IamSdk = typeof import('@aws-sdk/client-iam');

export const ROLE_NAME = 'iotbutton-compat-republish';

export function rolePolicyName(region: string): string {
  return `iotbutton-republish-${region}`;
}

export function trustPolicy(): object {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
}

export function republishPolicy(scope: PolicyScope): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:${scope.partition}:iot:${scope.region}:${scope.account}:topic/${IOT_BUTTON_ROOT}*` }],
  };
}

export interface RoleOutcome {
  arn: string;
  /** This run created the role (so a failure later removes it again). */
  created: boolean;
  /** This run wrote its inline policy (new, or it differed). */
  policyWritten: boolean;
}

/** IAM returns policy documents URL-encoded. */
function decode(doc: string | undefined): string {
  try {
    return decodeURIComponent(doc ?? '');
  } catch {
    return doc ?? '';
  }
}

function trustsIot(doc: string): boolean {
  try {
    const statements = [(JSON.parse(doc) as { Statement?: unknown }).Statement].flat() as { Effect?: string; Principal?: { Service?: string | string[] }; Action?: string | string[] }[];
    return statements.some((s) => s?.Effect === 'Allow' && [s.Principal?.Service].flat().includes('iot.amazonaws.com') && [s.Action].flat().includes('sts:AssumeRole'));
  } catch {
    return false;
  }
}

export function createRoleSteps(iam: Pick<IAMClient, 'send'>, sdk: IamSdk, ctx: Omit<AwsContext, 'action'>) {
  const { call, lookup } = awsCallers(ctx, ['NoSuchEntityException', 'NoSuchEntity']);

  /** Removes the role this run made (its inline policy first, as IAM requires). */
  async function removeRole(scope: PolicyScope): Promise<void> {
    try {
      await iam.send(new sdk.DeleteRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: rolePolicyName(scope.region) }));
    } catch (err) {
      if (awsErrorName(err) !== 'NoSuchEntityException' && awsErrorName(err) !== 'NoSuchEntity') throw err;
    }
    await iam.send(new sdk.DeleteRoleCommand({ RoleName: ROLE_NAME }));
  }

  return {
    removeRole,
    /** The role, made if missing, with its inline policy for this region up to date. */
    async ensureRole(scope: PolicyScope): Promise<RoleOutcome> {
      const RoleName = ROLE_NAME;
      const found = await lookup('iam:GetRole', () => iam.send(new sdk.GetRoleCommand({ RoleName })));
      let arn = found?.Role?.Arn;
      if (found && !trustsIot(decode(found.Role?.AssumeRolePolicyDocument))) {
        throw new UserError(
          `IAM role ${RoleName} exists but does not let iot.amazonaws.com assume it: delete it (\`aws iam delete-role --role-name ${RoleName}\`, after its policies) or add that trust, and run aws-setup again.`,
          'aws-iotbutton-role',
        );
      }
      if (!found) {
        const made = await call('iam:CreateRole', () =>
          iam.send(new sdk.CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy()), Description: 'Lets the AWS IoT rule made by aws-setup --iot-button-compat republish button presses on iotbutton/<thing>.' })),
        );
        arn = made.Role?.Arn;
      }
      if (!arn) throw new Error('GetRole/CreateRole returned no role ARN');
      const PolicyName = rolePolicyName(scope.region);
      const PolicyDocument = JSON.stringify(republishPolicy(scope));
      const current = found ? await lookup('iam:GetRolePolicy', () => iam.send(new sdk.GetRolePolicyCommand({ RoleName, PolicyName }))) : undefined;
      const policyWritten = !current || !samePolicy(decode(current.PolicyDocument), PolicyDocument);
      if (policyWritten) {
        try {
          await call('iam:PutRolePolicy', () => iam.send(new sdk.PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument })));
        } catch (err) {
          if (!found) await removeRole(scope).catch(() => undefined);
          throw err;
        }
      }
      return { arn, created: !found, policyWritten };
    },
  };
}

export type RoleSteps = ReturnType<typeof createRoleSteps>;
