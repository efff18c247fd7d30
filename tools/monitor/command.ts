// `monitor` options and --help: argv to MonitorOptions. The behaviour is run.ts, loaded only when
// the command runs, so other commands do not load the AWS SDK's native module.
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../shared/log';
import { parseRemotePort } from '../shared/cli-arguments';
import { Topic } from '../../firmware/core/wire-contract';

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a count is a whole number, 1 or more.');
  return n;
}

const collect = (v: string, all: string[] | undefined) => [...(all ?? []), v];

export function define(program: Command): void {
  program
    .command('monitor')
    .description('Print each button event as the cloud sees it: thing, clickType, seq and age, flagging gaps and duplicates in seq per thing.')
    .option('--endpoint <host>', 'MQTT broker: your AWS IoT ATS endpoint, or 127.0.0.1 for the local broker of `npm start` (default: the endpoint of the watcher aws-setup made, else 127.0.0.1)')
    .option('--port <n>', 'MQTT-over-TLS port (default 8883)', parseRemotePort)
    .option('--cert <file>', 'client certificate (default, local broker only: the dev PKI "monitor" identity in certs/dev/)')
    .option('--key <file>', 'its private key')
    .option('--ca <file>', "the CA that signed the broker's certificate (AmazonRootCA1.pem for AWS IoT)")
    .option('--client-id <id>', "MQTT client id (default: the certificate's common name)")
    .option('--topic-prefix <prefix>', "the devices' topic prefix (provision --topic-prefix): watch <prefix>/+/events/button", Topic.DefaultPrefix)
    .option('--topic <filter>', 'topic filter to watch, repeatable (default <prefix>/+/events/button)', collect)
    .option('--json', 'one JSON line per event on stdout, with its flag (first, ok, gap, late, duplicate)', false)
    .option('--count <n>', 'exit after n button events', parseCount)
    .addHelpText(
      'after',
      `
Status lines go to stderr, events to stdout. Flags: GAP (seq jumped: presses missing so far),
LATE (a missing seq arrived after all), DUPLICATE (seq seen before). Age is receipt time minus
the device's ts ("clock unset" before the device has SNTP time).

Against AWS IoT it needs nothing extra: aws-setup makes a watcher identity in certs/cloud-watcher/
(client id button-monitor, policy button-monitor-policy: iot:Connect as button-monitor,
iot:Subscribe on topicfilter/<prefix>/+/events/button and topicfilter/<prefix>/+/status, iot:Receive
on topic/<prefix>/*/events/button and topic/<prefix>/*/status, nothing else), and monitor uses it
and its endpoint by itself, checking AWS against Amazon Root CA 1 from Node's root store. Another
identity can be given with --cert, --key and --ca. A button's own certificate cannot watch: its
policy allows only its own topics, and connecting as the button would disconnect it. Without a
watcher identity, monitor watches the local broker of npm start.

Examples:
  npm run monitor
  npm run monitor -- --json --count 3
  npm run monitor -- --endpoint abc123-ats.iot.eu-west-1.amazonaws.com --cert w.crt --key w.key --ca AmazonRootCA1.pem --client-id watcher`,
    )
    .action(async (o: { endpoint?: string; port?: number; cert?: string; key?: string; ca?: string; clientId?: string; topicPrefix: string; topic?: string[]; json: boolean; count?: number }) => {
      const { run } = await import('./run');
      await run({ cwd: process.cwd(), endpoint: o.endpoint, port: o.port, cert: o.cert, key: o.key, ca: o.ca, clientId: o.clientId, topicPrefix: o.topicPrefix, topics: o.topic, json: o.json, count: o.count }, { log: createLogger() });
    });
}
