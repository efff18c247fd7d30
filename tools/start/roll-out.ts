// npm start's update key: builds the firmware with the next patch version, creates an AWS IoT job
// for the virtual NodeMCU in the local broker's Jobs (as `npm run update` does on AWS), and follows
// the execution the gateway reports until it ends. The switch itself shows in the device's console.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmware } from '../build/build-firmware';
import { makeJobDocument } from '../ota/job-document';
import { isTerminal, type LocalJobsStore } from '../broker/local-jobs';
import type { LocalJobExecution } from '../broker/local-jobs-api';

/** The next patch version: 0.1.0 -> 0.1.1. */
export function nextPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`"${version}" is not a version like 1.2.3`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

/** One line for what an execution is doing now (its status and details). */
export function describeExecution(e: LocalJobExecution): string {
  const d = e.statusDetails;
  if (d.step === 'sending' && d.total) return `${e.status}: sending ${d.sent}/${d.total} bytes (${Math.floor((100 * Number(d.sent)) / Number(d.total))}%)`;
  if (d.step) return `${e.status}: ${d.step}`;
  return d.detail ? `${e.status}: ${d.detail}` : e.status;
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

export async function rollOut(o: RollOutOptions): Promise<LocalJobExecution> {
  const version = nextPatch(o.running);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roll-out-'));
  let bundle: Buffer;
  try {
    const r = await buildFirmware({ cwd: o.cwd, outFile: path.join(dir, 'firmware.js'), version, log: () => {} });
    bundle = readFileSync(r.outFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const jobId = `update-${version.replace(/\./g, '_')}-${Date.now()}`;
  o.jobs.createJob({ jobId, targets: [o.thing], document: makeJobDocument({ version, bundle, allowDowngrade: false }), description: `npm start: firmware ${version}` });
  o.log(`job ${jobId}: firmware ${version} (${bundle.length} bytes) for ${o.thing}, created in the local AWS IoT Jobs`);
  let said = '';
  const until = Date.now() + (o.timeoutMs ?? 20 * 60000);
  for (;;) {
    const e = o.jobs.describeJobExecution(jobId, o.thing);
    const now = e ? describeExecution(e) : 'QUEUED';
    // Progress at most every 25%, so the screen is not a wall of numbers.
    const shown = now.replace(/sending \d+\/\d+ bytes \((\d+)%\)/, (_all, p: string) => `sending (${Math.floor(Number(p) / 25) * 25}%)`);
    if (shown !== said) o.log(`job ${jobId}: ${now}`);
    said = shown;
    if (e && isTerminal(e.status)) return e;
    if (Date.now() > until) throw new Error(`job ${jobId} did not end in time; it is ${now}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
