// npm start's update key (and real-board's gateway update step): `npm run update`'s own code, in
// process, with the local broker's AWS IoT Jobs as its control plane: the project's firmware built
// with the next patch version, one job created, followed until the gateway reports the device's
// verdict. The switch itself shows in the device's console. It creates no AWS client.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalJobsStore } from '../broker/local-jobs';
import type { LocalJobExecution } from '../broker/local-jobs-api';
import { isUserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { createLocalFirmwareJobs } from '../update/local-firmware-jobs';
import { buildProject, run } from '../update/run';

/** The next patch version: 0.1.0 -> 0.1.1. */
export function nextPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`"${version}" is not a version like 1.2.3`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

export interface RollOutOptions {
  cwd: string;
  jobs: LocalJobsStore;
  thing: string;
  /** The version the device runs now; the job carries the next patch version. */
  running: string;
  log: (line: string) => void;
  /** Give up following after this long (the job stays in the broker); default 20 min, the device's 3 trial boots. */
  timeoutMs?: number;
}

/** The execution as it ended (or stood when the wait gave up); the command's own refusals are thrown. */
export async function rollOut(o: RollOutOptions): Promise<LocalJobExecution> {
  const version = nextPatch(o.running);
  // The command's working folder: no certs/<thing>/ there, so the thing is one the gateway serves.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roll-out-'));
  let jobId: string | undefined;
  const log: Logger = {
    out: (line) => (jobId = line),
    info: o.log,
    warn: (line) => o.log(`warning: ${line}`),
    error: o.log,
    debug: () => undefined,
    addSecret: () => undefined,
    redact: (text) => text,
  };
  try {
    await run(
      { cwd: dir, thing: o.thing, wait: true, timeoutMs: o.timeoutMs ?? 20 * 60000 },
      {
        log,
        jobs: createLocalFirmwareJobs(o.jobs, [o.thing]),
        build: () => buildProject(o.cwd, { ...log, info: () => undefined }, { outFile: path.join(dir, 'firmware.js'), version }),
        pollMs: 200,
        stop: new Promise(() => undefined),
      },
    );
  } catch (e) {
    // A device's refusal or rollback is an outcome to show, not a failure of the roll-out.
    if (!isUserError(e) || jobId === undefined) throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const e = o.jobs.describeJobExecution(jobId!, o.thing);
  if (!e) throw new Error(`job ${jobId} has no execution for ${o.thing}`);
  return e;
}
