// `update` options and --help: argv to UpdateOptions. The behaviour is run.ts, loaded only when the
// command runs, so other commands do not load the AWS SDK.
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../shared/log';

function parseMinutes(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a timeout is a number of minutes above 0.');
  return n;
}

export function define(program: Command): void {
  program
    .command('update')
    .description('Update buttons over the air: build the firmware, and create one AWS IoT job that carries it to the things named; --wait follows each thing to its outcome.')
    .option('--thing <name>', 'the thing to update')
    .option('--things <a,b,c>', 'several things, comma-separated', (v: string) => v.split(','))
    .option('--all', "every thing the gateway on this computer serves (its store's devices.json, revoked ones left out)")
    .option('--wait', 'follow the job: each thing queued, in progress with %, then SUCCEEDED/FAILED/REJECTED with the reason; exit 1 unless all succeeded', false)
    .option('--timeout <minutes>', 'how long --wait waits (default 30)', parseMinutes)
    .option('--allow-downgrade', 'let the things install an older version than they run', false)
    .option('--job <id>', 'follow an existing job (and, for direct-TLS boards, go on executing it) instead of creating one')
    .option('--direct', 'the things are direct-TLS boards (ESP32), whatever certs/<thing>/thing.json says')
    .option('--endpoint <host[:port]>', 'direct-TLS boards: the AWS IoT data endpoint (default: certs/<thing>/thing.json)')
    .option('--store <dir>', "the gateway's store, for --all (default .gateway)")
    .option('--region <region>', 'AWS region, e.g. eu-west-1 (default: AWS_REGION or your AWS config)')
    .option('--profile <name>', 'AWS credentials profile (default: AWS_PROFILE or the default profile)')
    .addHelpText(
      'after',
      `
What it does, in order, and nothing is created if a step refuses:
  1. builds the firmware (the Espruino gate refuses a bundle the board cannot run) with the
     version in package.json;
  2. makes the job document: the bundle travels inline, under AWS IoT's 32 KB limit (docs/ota.md);
  3. checks each thing exists (DescribeThing), has no firmware job still pending, and did not
     take this version, or a newer one, through an earlier job (unless --allow-downgrade);
  4. creates ONE job (CreateJob) for all of them, id fw-<version>-<time>, and prints its id.
The device refuses what the host cannot know (a version it already runs after a cable flash):
that thing ends REJECTED, with the device's reason.

Who executes the job:
  - a board behind a gateway: the gateway, as the thing, when the board is online (an offline
    board gets it when it comes back). Without --wait the command ends after step 4.
  - a direct-TLS board (ESP32; certs/<thing>/thing.json says "mode": "direct", which provision
    records, or --direct): it has no gateway and no RAM for an 18 KB job document, so this
    command executes the job itself, as the thing, with certs/<thing>/ (client id <thing>-update,
    which aws-setup's policy allows), and streams the bundle over the board's own ota topics.
    --wait is implied.

--all means the things of the gateway store on this computer: those are the things a gateway
here serves, with no thing group to keep in step. On another computer, name them with --things.

Ctrl-C stops waiting and leaves the job in AWS: look again with --job <id> --wait.

Needs AWS credentials allowed iot:DescribeThing, iot:ListJobExecutionsForThing,
iot:GetJobDocument, iot:CreateJob, iot:ListJobExecutionsForJob and iot:DescribeJobExecution.

Examples:
  npm run update -- --thing button-1 --wait
  npm run update -- --things button-1,button-2 --region eu-west-1
  npm run update -- --all --wait --timeout 60
  npm run update -- --job fw-0-2-0-20261207T161530Z --wait`,
    )
    .action(async (o: { thing?: string; things?: string[]; all?: boolean; wait: boolean; timeout?: number; allowDowngrade: boolean; job?: string; direct?: boolean; endpoint?: string; store?: string; region?: string; profile?: string }) => {
      const { run } = await import('./run');
      await run(
        {
          cwd: process.cwd(),
          thing: o.thing,
          things: o.things,
          all: o.all,
          wait: o.wait,
          timeoutMs: o.timeout !== undefined ? o.timeout * 60000 : undefined,
          allowDowngrade: o.allowDowngrade,
          job: o.job,
          direct: o.direct,
          endpoint: o.endpoint,
          store: o.store,
          region: o.region,
          profile: o.profile,
        },
        { log: createLogger() },
      );
    });
}
