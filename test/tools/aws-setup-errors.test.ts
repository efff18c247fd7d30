// What the AWS SDK throws becomes a UserError saying what to do; what it does not recognise
// stays as it is, so the CLI reports it as a bug.
import { toUserError } from '../../tools/aws-setup/aws-errors';
import { isUserError } from '../../tools/shared/errors';

const ctx = { action: 'iot:DescribeEndpoint', region: 'eu-west-1' };
const sdkError = (name: string, extra: object = {}) => Object.assign(new Error(`${name} happened.`), { name, ...extra });

test.each([
  ['CredentialsProviderError', sdkError('CredentialsProviderError'), 'aws-credentials', /No AWS credentials found/],
  ['ExpiredTokenException', sdkError('ExpiredTokenException', { $fault: 'client', $metadata: {} }), 'aws-credentials', /refresh them/],
  ['UnrecognizedClientException', sdkError('UnrecognizedClientException', { $fault: 'client', $metadata: {} }), 'aws-credentials', /rejected your AWS credentials/],
  ['AccessDeniedException', sdkError('AccessDeniedException', { $fault: 'client', $metadata: {} }), 'aws-access-denied', /refused iot:DescribeEndpoint/],
  ['UnauthorizedException', sdkError('UnauthorizedException', { $fault: 'client', $metadata: {} }), 'aws-access-denied', /permissions/],
  ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND iot.nowhere-1.amazonaws.com'), { code: 'ENOTFOUND' }), 'aws-unreachable', /region eu-west-1 \(ENOTFOUND\)/],
  ['TimeoutError', sdkError('TimeoutError'), 'aws-unreachable', /check the network/],
  ['ThrottlingException', sdkError('ThrottlingException', { $fault: 'client', $metadata: {} }), 'aws-error', /wait a minute/],
  ['InvalidRequestException', sdkError('InvalidRequestException', { $fault: 'client', $metadata: {} }), 'aws-error', /InvalidRequestException: InvalidRequestException happened\): fix what it says/],
])('%s', (_name, err, anchor, message) => {
  const out = toUserError(err, ctx);
  expect(isUserError(out)).toBe(true);
  expect((out as { anchor: string }).anchor).toBe(anchor);
  expect((out as Error).message).toMatch(message);
  expect((out as Error).message).toMatch(/\.$/);
});

test('a named profile that does not exist is named in the message', () => {
  const out = toUserError(sdkError('CredentialsProviderError'), { ...ctx, profile: 'work' }) as Error;
  expect(out.message).toMatch(/profile work exists in ~\/\.aws\/config/);
});

test('anything that is not an AWS error is passed through unchanged (a bug, not the user)', () => {
  const bug = new TypeError('cannot read properties of undefined');
  expect(toUserError(bug, ctx)).toBe(bug);
});
