// AWS IoT Jobs through the real gateway: jobs created in the AWS-like broker's LocalJobs are
// executed by the gateway as each thing (notify-next, start-next, UpdateJobExecution) on a virtual
// NodeMCU running the exact A/B firmware; the terminal status and its detail come only from the
// device's verdict. The device's own checks are tested in test/ota/; here, what a job makes of them.
import { makeJobDocument } from '../../tools/ota/job-document';
import { loaderSource } from '../../firmware/ota/loader-source';
import type { LocalJobExecution } from '../../tools/broker/local-jobs-api';
import { isTerminal } from '../../tools/broker/local-jobs';
import { version } from '../../package.json';
import { sleep, until } from '../interop/support/rig';
import { useAbRig } from './support/ab-device';

const ab = useAbRig();

const jobs = () => ab.rig.broker.jobs!;
function createJob(thing: string, jobId: string, bundle: Buffer, v: string, allowDowngrade = false): void {
  jobs().createJob({ jobId, targets: [`arn:aws:iot:us-east-1:123456789012:thing/${thing}`], document: makeJobDocument({ version: v, bundle, allowDowngrade }) });
}
/** Polls the execution until it is terminal; `seen` collects every statusDetails.step on the way. */
async function finished(jobId: string, thing: string, timeoutMs = 45000, seen: string[] = []): Promise<LocalJobExecution> {
  let e: LocalJobExecution | undefined;
  await until(
    () => {
      e = jobs().describeJobExecution(jobId, thing);
      const step = e?.statusDetails.step;
      if (step && seen.at(-1) !== step) seen.push(step);
      return !!e && isTerminal(e.status);
    },
    timeoutMs,
    () => `job ${jobId} on ${thing} is ${e?.status} ${JSON.stringify(e?.statusDetails)}`,
  );
  return e!;
}

test('a job to a newer version reports its progress, SUCCEEDS only once the device proved it, and presses made meanwhile (one queued across the switch) all arrive', async () => {
  const d = ab.kit.device('job-new');
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-new', 'new-1', ab.kit.withVersion('0.9.0'), '0.9.0');
  const seen: string[] = [];
  await until(() => (jobs().describeJobExecution('new-1', 'job-new')?.statusDetails.step ?? '') === 'sending', 20000, () => 'no progress reported');
  for (let i = 1; i <= 3; i++) {
    await sleep(100); // released for longer than the debounce, or the next press is a bounce
    await d.press();
    await d.waitLine(new RegExp(`seq ${i} queued`), 5000);
  }
  // One more as the new firmware boots on trial, before it is online: it waits in the outbox.
  const booted = d.lines.length;
  await d.waitLine(/^espruino-aws-button 0\.9\.0/, 20000);
  await d.press();
  await d.waitLine(/seq 4 queued/, 5000, booted);
  const e = await finished('new-1', 'job-new', 45000, seen);
  expect(e).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.0', version: '0.9.0' } });
  expect(seen).toContain('switching');
  expect(d.lines).toContain('ota: running 0.9.0, proven');
  // The proof came before the report: the device's "proven" line is in its console by then.
  await until(() => ab.rig.watcher.events('job-new').length >= 4, 20000, () => `${ab.rig.watcher.events('job-new').length} of 4 presses arrived`);
  expect(ab.rig.watcher.events('job-new').map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  expect(ab.rig.watcher.events('job-new')[3].fw).toBe('0.9.0');
}, 90000);

test('jobs run in creation order: the same version is REJECTED with nothing to do, an older one unless the job allows a downgrade', async () => {
  const d = ab.kit.device('job-versions');
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-versions', 'same-1', ab.kit.fw, version);
  createJob('job-versions', 'older-1', ab.kit.withVersion('0.0.9'), '0.0.9');
  createJob('job-versions', 'older-2', ab.kit.withVersion('0.0.9'), '0.0.9', true);
  expect(await finished('same-1', 'job-versions')).toMatchObject({ status: 'REJECTED', statusDetails: { detail: `nothing to do: already running ${version}` } });
  expect(await finished('older-1', 'job-versions')).toMatchObject({ status: 'REJECTED', statusDetails: { detail: `0.0.9 is older than ${version} (allow a downgrade to install it)` } });
  expect(await finished('older-2', 'job-versions')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.0.9' } });
}, 90000);

test('a job that is not a firmware update, or whose bundle is damaged, is REJECTED with the reason and the device untouched', async () => {
  const d = ab.kit.device('job-foreign');
  await d.waitLine(/^mqtt: connected/, 15000);
  const log = d.device.storage.read('.otalog');
  jobs().createJob({ jobId: 'foreign-1', targets: ['job-foreign'], document: '{"operation":"reboot"}' });
  const damaged = JSON.parse(makeJobDocument({ version: '0.9.0', bundle: ab.kit.withVersion('0.9.0'), allowDowngrade: false })) as { crc32: number };
  damaged.crc32 = (damaged.crc32 ^ 1) >>> 0; // unsigned: a CRC-32 with its top bit set would turn negative under ^ alone
  jobs().createJob({ jobId: 'damaged-1', targets: ['job-foreign'], document: JSON.stringify(damaged) });
  expect(await finished('foreign-1', 'job-foreign')).toMatchObject({ status: 'REJECTED', statusDetails: { detail: 'not a firmware update (operation is not "espruino-button-firmware-update")' } });
  expect(await finished('damaged-1', 'job-foreign')).toMatchObject({ status: 'REJECTED', statusDetails: { detail: 'the bundle does not match its CRC-32' } });
  expect(d.lines.filter((l) => l.startsWith('ota:'))).toEqual([]);
  expect(d.device.storage.read('.otalog')).toEqual(log);
  expect(d.device.storage.read('fw.b')).toBeUndefined();
}, 60000);

test("a bundle over the device's Storage space left is REJECTED with the device's reason", async () => {
  const d = ab.kit.device('job-full', { boot: false });
  // Fill Storage but for 10 KB (room for the firmware's own files, not for a 17 KB bundle).
  let size = 200 * 1024;
  for (; size > 0; size -= 1024) {
    try {
      d.device.storage.write('filler', Buffer.alloc(size, 0x41));
      break;
    } catch {
      continue;
    }
  }
  d.device.storage.erase('filler');
  d.device.storage.write('filler', Buffer.alloc(size - 10 * 1024, 0x41));
  d.device.boot();
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-full', 'full-1', ab.kit.withVersion('0.9.0'), '0.9.0');
  const e = await finished('full-1', 'job-full');
  expect(e.status).toBe('REJECTED');
  expect(e.statusDetails.detail).toMatch(/^bundle of \d+ bytes does not fit the \d+ bytes of Storage left$/);
}, 60000);

test('a gateway restart mid-update: the execution stays IN_PROGRESS, start-next hands it back, the transfer resumes and SUCCEEDS', async () => {
  const d = ab.kit.device('job-restart');
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-restart', 'restart-1', ab.kit.withVersion('0.9.0'), '0.9.0');
  await until(() => (d.device.storage.read('fw.b')?.indexOf(0xff) ?? 0) > 2000, 20000, () => 'no chunks arrived');
  await ab.rig.gw.restart();
  expect(jobs().describeJobExecution('restart-1', 'job-restart')?.status).toBe('IN_PROGRESS');
  expect(await finished('restart-1', 'job-restart')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.0' } });
  expect(d.lines.some((l) => /^ota: receiving 0\.9\.0 \(\d+ bytes\) into fw\.b from byte [1-9]\d*/.test(l))).toBe(true);
}, 90000);

test('a firmware that never connects is rolled back after 3 boots and the job FAILS with the reason', async () => {
  // The loader's trial deadline shortened from 5 minutes to 3 s: a firmware that hangs is restarted sooner.
  const d = ab.kit.device('job-hang', { loader: loaderSource(3000) });
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-hang', 'hang-1', Buffer.from('print("espruino-aws-button 1.0.0 (never connects)");\n', 'latin1'), '1.0.0');
  const e = await finished('hang-1', 'job-hang', 60000);
  expect(e).toMatchObject({ status: 'FAILED', statusDetails: { detail: `rolled back to ${version}: the new firmware never joined Wi-Fi in 3 boots` } });
  expect(d.lines.filter((l) => l.startsWith('boot: trial not proven in time'))).toHaveLength(3);
}, 90000);

test('a device offline when the job is created gets it when it comes back', async () => {
  const d = ab.kit.device('job-offline', { boot: false });
  createJob('job-offline', 'offline-1', ab.kit.withVersion('0.9.0'), '0.9.0');
  await sleep(500);
  expect(jobs().describeJobExecution('offline-1', 'job-offline')?.status).toBe('QUEUED');
  d.device.boot();
  expect(await finished('offline-1', 'job-offline')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.0' } });
}, 60000);

test('two jobs racing for one thing run one after the other; nothing replaces the transfer under way; both end true', async () => {
  const d = ab.kit.device('job-race');
  await d.waitLine(/^mqtt: connected/, 15000);
  createJob('job-race', 'race-a', ab.kit.withVersion('0.9.0'), '0.9.0');
  createJob('job-race', 'race-b', ab.kit.withVersion('0.9.1'), '0.9.1');
  await d.waitLine(/^ota: receiving 0\.9\.0/, 20000);
  expect(jobs().describeJobExecution('race-b', 'job-race')?.status).toBe('QUEUED');
  expect(() => ab.rig.gw.updates().queue('job-race', ab.kit.withVersion('0.9.5'), '0.9.5')).toThrow(/is (running|pending): it must end before another is queued/);
  expect(await finished('race-a', 'job-race')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.0' } });
  expect(await finished('race-b', 'job-race')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detail: 'running 0.9.1' } });
  expect(d.lines).toContain('ota: running 0.9.1, proven');
  expect(d.lines.filter((l) => /^ota: receiving/.test(l)).map((l) => l.split(' ')[2])).toEqual(['0.9.0', '0.9.1']);
}, 90000);
