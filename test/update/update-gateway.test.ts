// npm run update end to end through the gateway: the mocked IoTClient answered by the AWS-like
// broker's local Jobs store (test/support/local-control-plane.ts), the real gateway executing the
// job as the thing, and the virtual NodeMCU running the exact A/B firmware. `update --all --wait`
// (the things of the gateway's store) prints each thing's progress and SUCCEEDED, and the devices
// then run the new version.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '../../tools/shared/log';
import { run } from '../../tools/update/run';
import { useAbRig } from '../gateway/support/ab-device';
import { until } from '../interop/support/wait';
import { localControlPlane } from '../support/local-control-plane';
import { statusTopic, Topic } from '../../firmware/core/wire-contract';

const ab = useAbRig();
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'update-gateway-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

test('update --all --wait: one job for every thing the gateway serves; each device switches, proves 0.2.0, and SUCCEEDED is printed', async () => {
  const things = ['gw-update-1', 'gw-update-2'];
  const devices = things.map((t) => ab.kit.device(t));
  for (const d of devices) await d.waitLine(/^mqtt: connected/, 15000);
  const cp = localControlPlane(ab.rig.broker.jobs!, things);
  // What the gateway reported, every update: --wait polls, so a transfer shorter than a poll shows
  // no % line on a fast machine (seen in CI); the executor's reports are the deterministic record.
  const reported = jest.spyOn(ab.rig.broker.jobs!, 'update');
  const seenBefore = ab.rig.watcher.messages.length;
  const log = createMemoryLogger();
  const bundle = ab.kit.withVersion('0.2.0');
  let calls: typeof reported.mock.calls = [];
  try {
    const r = await run(
      { cwd, all: true, store: ab.rig.gw.storeDir, wait: true, region: 'eu-west-1' },
      { log, iot: cp.client, build: async () => ({ bundle, version: '0.2.0' }), pollMs: 200, stop: new Promise(() => undefined) },
    );
    expect(r.ended).toBe('done');
    expect(r.outcomes).toEqual(things.map((thing) => ({ thing, status: 'SUCCEEDED', detail: 'running 0.2.0' })));
    expect(ab.rig.broker.jobs!.listJobExecutionsForJob(r.jobId).map((e) => e.thingName).sort()).toEqual(things);
  } finally {
    cp.restore();
    calls = reported.mock.calls.slice();
    reported.mockRestore();
  }
  const out = log.lines.join('\n');
  for (const t of things) {
    const details = calls.filter(([thing, , u]) => thing === t && u.status === 'IN_PROGRESS').map(([, , u]) => u.statusDetails as Record<string, string>);
    expect(details.some((d) => d.step === 'sending' && /^\d+$/.test(d.sent ?? '') && d.total === String(bundle.length))).toBe(true);
    expect(out).toContain(`${t}: SUCCEEDED (running 0.2.0)`);
  }
  // Whatever progress --wait did see is printed in its one shape.
  for (const line of out.split('\n').filter((l) => l.includes(': in progress'))) expect(line).toMatch(/^gw-update-\d: in progress( \d+%)? \((sending|switching)\)$/);
  expect(out).toContain('All 2 things run the new firmware');
  for (const d of devices) expect(d.lines).toContain('ota: running 0.2.0, proven');
  // The restart into the new firmware drops the link without DISCONNECT: the cloud sees the Will's
  // offline for the reboot, then online from 0.2.0 (docs/ota.md, "The transfer").
  for (const t of things) {
    const status = () => ab.rig.watcher.messages.slice(seenBefore).filter((m) => m.topic === statusTopic(Topic.DefaultPrefix, t)).map((m) => m.payload);
    await until(() => status().join().endsWith('offline,online'), 5000, () => `${t}'s status: ${status().join(', ')}`);
    expect(status().filter((p) => p === 'offline')).toHaveLength(1);
  }
}, 120000);
