// npm run update: builds the firmware (the Espruino gate refuses a bad bundle here, before anything
// is created), checks each thing in AWS IoT and what version it last took, and creates ONE AWS IoT
// job whose document carries the bundle. Gateways execute it for their devices; for a direct-TLS
// board this command executes it itself, as the thing. --wait follows it to each thing's outcome.
import type { IoTClient } from '@aws-sdk/client-iot';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFirmware } from '../build/build-firmware';
import { JOB_DOCUMENT_LIMIT, makeJobDocument } from '../ota/job-document';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { compareVersions } from '../../firmware/ota/version';
import { createFirmwareJobs, makeJobId, type FirmwareJobs } from './firmware-jobs';
import { resolveTargets, type DirectTarget, type TargetOptions } from './targets';
import { connectAsThing, type ThingConnection } from './thing-connection';
import { updateDirectThing } from './direct-update';
import { waitForJob, type ThingOutcome, type WaitResult } from './wait-for-job';

export interface UpdateOptions extends TargetOptions {
  region?: string;
  profile?: string;
  /** Follow (and for direct things, go on executing) this existing job instead of creating one. */
  job?: string;
  wait?: boolean;
  /** How long --wait waits (default 30 min: a new firmware has 3 boots to prove itself). */
  timeoutMs?: number;
  allowDowngrade?: boolean;
}

export interface UpdateDeps {
  log: Logger;
  /** Defaults to an IoTClient for the region and profile; tests pass a mocked one. */
  iot?: Pick<IoTClient, 'send'>;
  /** The control plane itself, instead of AWS IoT's (a local Jobs store: local-firmware-jobs.ts). */
  jobs?: FirmwareJobs;
  /** The bundle to send and its version; default: the project's firmware built here, package.json's version. */
  build?: () => Promise<{ bundle: Buffer; version: string }>;
  now?: () => Date;
  /** Resolves when the user stops waiting; default Ctrl-C. */
  stop?: Promise<void>;
  /** The MQTT connection as a direct thing; default connectAsThing. */
  connect?: (t: DirectTarget) => Promise<ThingConnection>;
  pollMs?: number;
  /** Tests shorten the direct transfer's waits. */
  direct?: { stepTimeoutMs?: number; outcomeTimeoutMs?: number; jobsTimeoutMs?: number };
}

export interface UpdateResult {
  jobId: string;
  outcomes: ThingOutcome[];
  ended: WaitResult['ended'] | 'created';
}

/** AWS IoT's limit on a job's targets (things named directly). */
export const MAX_TARGETS = 100;

/** The project's firmware, built as `npm run build` does (entry and outFile: tests build fixtures elsewhere). */
export async function buildProject(cwd: string, log: Logger, at: { entry?: string; outFile?: string; version?: string } = {}): Promise<{ bundle: Buffer; version: string }> {
  const version = at.version ?? (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version: string }).version;
  log.info(`Building firmware ${version} (the Espruino gate checks it before anything is created)...`);
  const r = await buildFirmware({ cwd, log: (l) => log.info(l), ...at });
  return { bundle: readFileSync(r.outFile), version };
}

/** Ctrl-C stops the waiting, not the process (the job goes on in AWS); `done` gives SIGINT back. */
function untilCtrlC(): { stop: Promise<void>; done: () => void } {
  let onSigint: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => (onSigint = () => resolve()));
  process.once('SIGINT', onSigint);
  return { stop, done: () => process.off('SIGINT', onSigint) };
}

export async function run(o: UpdateOptions, deps: UpdateDeps): Promise<UpdateResult> {
  const { log } = deps;
  const ctx = { region: o.region, profile: o.profile };
  const control = async (): Promise<FirmwareJobs> => {
    if (deps.jobs) return deps.jobs;
    // Loaded on use: the SDK is large.
    const sdk = await import('@aws-sdk/client-iot');
    return createFirmwareJobs(deps.iot ?? new sdk.IoTClient({ region: o.region, profile: o.profile }), sdk, ctx);
  };

  if (o.job !== undefined) {
    const jobs = await control();
    const things = (await jobs.executions(o.job, () => false)).map((e) => e.thing);
    if (!things.length) throw new UserError(`Job ${o.job} has no things: check the id (aws iot list-jobs) and the --region.`, 'update-job-unknown');
    const targets = resolveTargets({ ...o, thing: undefined, all: undefined, things });
    return follow(o.job, targets.things, targets.direct, jobs, o, deps);
  }

  const targets = resolveTargets(o);
  if (targets.things.length > MAX_TARGETS) {
    throw new UserError(`AWS IoT takes at most ${MAX_TARGETS} targets in one job, and ${targets.things.length} things are named: update them in groups of up to ${MAX_TARGETS} with --things.`, 'update-too-many-things');
  }
  const { bundle, version } = await (deps.build ?? (() => buildProject(o.cwd, log)))();
  let document: string;
  try {
    document = makeJobDocument({ version, bundle, allowDowngrade: o.allowDowngrade === true });
  } catch (e) {
    throw new UserError(`The job document for this ${bundle.length}-byte bundle would be over AWS IoT's ${JOB_DOCUMENT_LIMIT}-byte limit (${(e as Error).message}): make the firmware smaller (npm run build shows its size).`, 'update-document-too-large');
  }

  const jobs = await control();
  const arns: string[] = [];
  const missing: string[] = [];
  for (const thing of targets.things) {
    const arn = await jobs.thingArn(thing);
    if (arn) arns.push(arn);
    else missing.push(thing);
  }
  if (missing.length) {
    throw new UserError(
      `AWS IoT${o.region ? ` in ${o.region}` : ''} has no thing named ${missing.join(', ')}: check the name, or the --region it is in (npm run aws-setup -- --thing NAME creates one); no job was created.`,
      'update-thing-missing',
    );
  }
  for (const thing of targets.things) refuseByHistory(thing, version, o.allowDowngrade === true, await jobs.history(thing));

  const jobId = makeJobId(version, (deps.now ?? (() => new Date()))());
  const n = targets.things.length;
  await jobs.createJob({ jobId, targets: arns, document, description: `Firmware ${version} (${bundle.length} bytes) for ${n === 1 ? targets.things[0] : `${n} things`}, by npm run update` });
  log.out(jobId);
  log.info(`Created job ${jobId}: firmware ${version} (${bundle.length} bytes, document ${Buffer.byteLength(document)} bytes) for ${targets.things.join(', ')}.`);
  return follow(jobId, targets.things, targets.direct, jobs, o, deps);
}

/** Refusals the host can make before creating anything, from the versions earlier jobs installed. */
function refuseByHistory(thing: string, version: string, allowDowngrade: boolean, h: Awaited<ReturnType<FirmwareJobs['history']>>): void {
  if (h.pending.length) {
    throw new UserError(
      `${thing} already has firmware job ${h.pending[0]} queued or in progress: follow it (npm run update -- --job ${h.pending[0]} --wait) or cancel it (aws iot cancel-job --job-id ${h.pending[0]}) first; no job was created.`,
      'update-in-progress',
    );
  }
  if (!h.lastVersion) return;
  const cmp = compareVersions(version, h.lastVersion.version);
  if (cmp === 0) {
    throw new UserError(`${thing} already runs ${version} (job ${h.lastVersion.jobId}): nothing to do; raise the version in package.json to send a new firmware.`, 'update-same-version');
  }
  if (cmp < 0 && !allowDowngrade) {
    throw new UserError(`${version} is older than ${h.lastVersion.version}, which ${thing} took with job ${h.lastVersion.jobId}: pass --allow-downgrade to install it anyway.`, 'update-older-version');
  }
}

async function follow(jobId: string, things: string[], direct: DirectTarget[], jobs: FirmwareJobs, o: UpdateOptions, deps: UpdateDeps): Promise<UpdateResult> {
  const { log } = deps;
  const again = `npm run update -- --job ${jobId} --wait`;
  if (!o.wait && !direct.length) {
    log.info(`The gateway serving each thing executes it when the device is online. Follow it with: ${again}`);
    return { jobId, outcomes: [], ended: 'created' };
  }
  const ctrlC = deps.stop ? undefined : untilCtrlC();
  const stop = deps.stop ?? ctrlC!.stop;
  try {
    // A direct thing this command could not execute has no one else to: waiting for it is pointless.
    const notExecuted: ThingOutcome[] = [];
    if (direct.length) {
      log.info(`${direct.map((d) => d.thing).join(', ')}: direct-TLS, so this command executes the job as the thing and waits for it (--wait is implied).`);
      for (const [i, why] of (await Promise.all(direct.map((t) => executeDirect(t, jobId, deps, stop)))).entries()) {
        if (why) notExecuted.push({ thing: direct[i].thing, status: 'NOT EXECUTED', detail: `${why.replace(/\.$/, '')}; the job waits for it: run npm run update -- --job ${jobId} to go on` });
      }
    }
    const waitFor = things.filter((t) => !notExecuted.some((x) => x.thing === t));
    const r = waitFor.length ? await waitForJob(jobs, { jobId, things: waitFor, timeoutMs: o.timeoutMs ?? 30 * 60000, pollMs: deps.pollMs, log, stop }) : { outcomes: [], ended: 'done' as const };
    const outcomes = [...r.outcomes, ...notExecuted];
    const failed = outcomes.filter((x) => x.status !== 'SUCCEEDED');
    if (r.ended !== 'done') {
      log.info(`The job goes on without this command${direct.length ? ' (a direct thing needs this command to go on executing it)' : ''}: look again with ${again}`);
      throw new UserError(`${failed.length} of ${things.length} things had not finished when ${r.ended === 'stopped' ? 'you stopped waiting' : 'the --timeout ran out'}: run ${again} to follow it.`, 'update-not-finished');
    }
    if (failed.length) {
      throw new UserError(`${failed.length} of ${things.length} things did not update (${failed.map((f) => `${f.thing} ${f.status}${f.detail ? `: ${f.detail}` : ''}`).join('; ')}): see each reason, fix it, and run npm run update again.`, 'update-failed');
    }
    log.info(`${things.length === 1 ? `${things[0]} runs` : `All ${things.length} things run`} the new firmware (job ${jobId}).`);
    return { jobId, outcomes, ended: 'done' };
  } finally {
    ctrlC?.done();
  }
}

/** Executes the job for one direct thing; the reason when it could not (the execution then stays where it is in AWS). */
async function executeDirect(t: DirectTarget, jobId: string, deps: UpdateDeps, stop: Promise<void>): Promise<string | undefined> {
  let conn: ThingConnection | undefined;
  try {
    conn = await (deps.connect ?? connectAsThing)(t);
    const c = conn;
    await Promise.race([updateDirectThing(c, { thing: t.thing, jobId, prefix: t.prefix, log: deps.log, ...deps.direct }), stop]);
    return undefined;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    deps.log.error(`${t.thing}: ${e.message}`);
    return e.message;
  } finally {
    await conn?.close();
  }
}
