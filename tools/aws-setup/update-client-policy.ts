// What the thing's policy lets `npm run update` do with the thing's own certificate for a direct-TLS
// board (which has no gateway to execute its jobs): connect as <thing>-update beside the board, run
// the thing's jobs over the Jobs MQTT API, and talk to the board on its ota topics. Nothing else.
import { Topic } from '../../firmware/core/wire-contract';
import type { PolicyScope, PolicyStatement } from './policy';

// The certificate's CN (aws-setup's CSR puts the thing name there). Not Connection.Thing.ThingName:
// that is the client id's thing, and the client id <thing>-update names no thing.
const CN = '${iot:Certificate.Subject.CommonName}';

export const UPDATE_CLIENT_SUFFIX = '-update';

export function updateClientStatements(scope: PolicyScope, topicPrefix: string = Topic.DefaultPrefix): PolicyStatement[] {
  const arn = (kind: string, rest: string) => `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${kind}/${rest}`;
  const jobs = `$aws/things/${CN}/jobs/`;
  const ota = `${topicPrefix}/${CN}/`;
  return [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', CN + UPDATE_CLIENT_SUFFIX) },
    { Effect: 'Allow', Action: 'iot:Publish', Resource: [arn('topic', `${jobs}start-next`), arn('topic', `${jobs}*/update`), arn('topic', ota + Topic.OtaIn)] },
    {
      Effect: 'Allow',
      Action: 'iot:Subscribe',
      Resource: [`${jobs}start-next/accepted`, `${jobs}start-next/rejected`, `${jobs}+/update/accepted`, `${jobs}+/update/rejected`, ota + Topic.OtaOut].map((f) => arn('topicfilter', f)),
    },
    {
      Effect: 'Allow',
      Action: 'iot:Receive',
      Resource: [`${jobs}start-next/accepted`, `${jobs}start-next/rejected`, `${jobs}*/update/accepted`, `${jobs}*/update/rejected`, ota + Topic.OtaOut].map((t) => arn('topic', t)),
    },
  ];
}
