// The real-board check's over-the-air step for a direct-TLS board: `npm run update`'s own code, in
// process, with the AWS-like broker's Jobs store as the control plane (no AWS account), sending the
// project's firmware with the next patch version after the one the board runs, executed as
// <thing>-update over real TLS.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DevPki } from '../pki/dev-pki';
import type { LocalJobsWithDocuments } from '../update/local-firmware-jobs';
import { createLocalFirmwareJobs } from '../update/local-firmware-jobs';
import { buildProject, run } from '../update/run';
import { nextPatch } from '../start/roll-out';
import type { Logger } from '../shared/log';

export interface UpdateStepOptions {
  cwd: string;
  /** A scratch folder: certs/<thing>/ as aws-setup and a direct provision leave it go here. */
  work: string;
  thing: string;
  endpoint: string;
  port: number;
  pki: DevPki;
  /** The version the board runs now; the update carries the next patch version. */
  running: string;
  jobs: LocalJobsWithDocuments;
  log: Logger;
}

export async function updateDirectBoard(o: UpdateStepOptions): Promise<{ ok: boolean; detail: string; version: string }> {
  const version = nextPatch(o.running);
  const { bundle } = await buildProject(o.cwd, o.log, { outFile: path.join(o.work, 'update.js'), version });
  const certs = path.join(o.work, 'certs', o.thing);
  mkdirSync(certs, { recursive: true });
  const id = o.pki.client(o.thing);
  writeFileSync(path.join(certs, 'certificate.pem.crt'), id.cert);
  writeFileSync(path.join(certs, 'private.pem.key'), id.key, { mode: 0o600 });
  chmodSync(path.join(certs, 'private.pem.key'), 0o600);
  writeFileSync(path.join(certs, 'AmazonRootCA1.pem'), o.pki.ca);
  writeFileSync(path.join(certs, 'thing.json'), JSON.stringify({ thing: o.thing, endpoint: o.endpoint, port: o.port, mode: 'direct' }));
  try {
    const r = await run(
      { cwd: o.work, thing: o.thing },
      { log: o.log, jobs: createLocalFirmwareJobs(o.jobs, [o.thing]), build: async () => ({ bundle, version }), pollMs: 1000, stop: new Promise(() => undefined), direct: { outcomeTimeoutMs: 16 * 60000 } },
    );
    const out = r.outcomes.find((x) => x.thing === o.thing);
    return { ok: out?.status === 'SUCCEEDED', detail: out ? `${out.status} (${out.detail}), job ${r.jobId}` : 'no outcome', version };
  } catch (e) {
    return { ok: false, detail: (e as Error).message, version };
  }
}
