// What the thing's policy lets `npm run update` do with the thing's own certificate for a direct-TLS
// board (which has no gateway to execute its jobs): connect as <thing>-update beside the board, run
// the thing's jobs over the Jobs MQTT API, and talk to the board on its ota topics. Nothing else.
import { Topic } from '../../firmware/core/wire-contract';
import { executorFilters, JobsTopic } from '../ota/jobs-topics';

// The certificate's CN (aws-setup's CSR puts the thing name there). Not Connection.Thing.ThingName:
// that is the client id's thing, and the client id <thing>-update names no thing.
const CN = '${iot:Certificate.Subject.CommonName}';

export const UPDATE_CLIENT_SUFFIX = '-update';

/** `arn(kind, rest)` makes the policy's resource ARNs (policy.ts passes its own; no import back there). */
export function updateClientStatements(arn: (kind: string, rest: string) => string, topicPrefix: string = Topic.DefaultPrefix) {
  const ota = `${topicPrefix}/${CN}/`;
  // The executor's filters without notify-next: the command asks start-next itself, it does not listen.
  const filters = executorFilters(CN).filter((f) => f !== JobsTopic.notifyNext(CN));
  return [
    { Effect: 'Allow' as const, Action: 'iot:Connect', Resource: arn('client', CN + UPDATE_CLIENT_SUFFIX) },
    { Effect: 'Allow' as const, Action: 'iot:Publish', Resource: [arn('topic', JobsTopic.startNext(CN)), arn('topic', JobsTopic.update(CN, '*')), arn('topic', ota + Topic.OtaIn)] },
    {
      Effect: 'Allow' as const,
      Action: 'iot:Subscribe',
      Resource: [...filters, ota + Topic.OtaOut].map((f) => arn('topicfilter', f)),
    },
    {
      Effect: 'Allow' as const,
      Action: 'iot:Receive',
      // '+' is a filter's wildcard; in a topic resource the policy's wildcard is '*'.
      Resource: [...filters.map((f) => f.replace('+', '*')), ota + Topic.OtaOut].map((t) => arn('topic', t)),
    },
  ];
}
