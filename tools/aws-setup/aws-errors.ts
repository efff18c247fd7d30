// Turns what the AWS SDK throws into a UserError saying what to do (credentials, permissions,
// region, network). Anything it does not recognise is passed through unchanged: that is a bug.
import { UserError } from '../shared/errors';

export interface AwsContext {
  /** The IAM action that failed, e.g. iot:CreateThing. */
  action: string;
  region?: string;
  profile?: string;
  /** The command to run again once fixed (default aws-setup). */
  command?: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: unknown;
}

const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'TokenRefreshRequired',
]);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedException', 'ForbiddenException']);
const NETWORK = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

export function awsErrorName(err: unknown): string | undefined {
  return (err as SdkError | undefined)?.name;
}

export function toUserError(err: unknown, ctx: AwsContext): unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as SdkError;
  const name = e.name ?? '';
  const code = e.code ?? '';
  const profile = ctx.profile ? `profile ${ctx.profile}` : 'your AWS credentials';
  const again = ctx.command ?? 'aws-setup';

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    const where = ctx.profile ? `check that profile ${ctx.profile} exists in ~/.aws/config` : 'run `aws configure` (or `aws sso login`), set AWS_PROFILE, or pass --profile NAME';
    return new UserError(`No AWS credentials found: ${where}, then run ${again} again.`, 'aws-credentials');
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return new UserError(`No AWS region set: pass --region (e.g. --region eu-west-1) or set AWS_REGION, then run ${again} again.`, 'aws-region');
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new UserError(`AWS rejected ${profile} (${name}): refresh them (\`aws sso login\`, or new access keys) and run ${again} again.`, 'aws-credentials');
  }
  if (DENIED.has(name)) {
    return new UserError(
      `AWS refused ${ctx.action} to ${profile}: grant them the ${ctx.action.startsWith('iam:') ? 'IAM' : 'AWS IoT'} permissions listed in docs/errors.md (or use a --profile that has them) and run ${again} again.`,
      'aws-access-denied',
    );
  }
  if (NETWORK.has(code) || NETWORK.has(name)) {
    return new UserError(
      `Could not reach AWS IoT in region ${ctx.region ?? '(default)'} (${code || name}): check the network connection and that --region names a real region.`,
      'aws-unreachable',
    );
  }
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return new UserError(`AWS is throttling ${ctx.action}: wait a minute and run ${again} again${again === 'aws-setup' ? ' (it picks up where it stopped)' : ''}.`, 'aws-error');
  }
  if (e.$metadata !== undefined && e.$fault !== undefined) {
    const detail = (e.message ?? '').replace(/\s+/g, ' ').replace(/\.$/, '');
    return new UserError(`AWS IoT refused ${ctx.action} (${name}: ${detail}): fix what it says and run ${again} again.`, 'aws-error');
  }
  return err;
}

/**
 * How the "ensure" steps call AWS: `call` turns any SDK error into the user's sentence; `lookup`
 * also answers undefined when AWS says the resource does not exist (its error names in `notFound`).
 */
export function awsCallers(ctx: Omit<AwsContext, 'action'>, notFound: string[]) {
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toUserError(err, { ...ctx, action });
    }
  };
  const lookup = async <T>(action: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (notFound.includes(awsErrorName(err) ?? '')) return undefined;
      throw toUserError(err, { ...ctx, action });
    }
  };
  return { call, lookup };
}
