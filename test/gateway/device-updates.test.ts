// The gateway updates its devices: a queued bundle goes to a virtual NodeMCU (the exact firmware,
// A/B flashed) through the gateway's own broker, resumes after a gateway restart mid-transfer, and
// its outcome is recorded only after the device proved the new firmware; an offline device gets
// its update when it comes back; a same-version update is refused with the device's reason.
import { version } from '../../package.json';
import { until } from '../interop/support/rig';
import { useAbRig } from './support/ab-device';

const ab = useAbRig();

const withVersion = (v: string) => ab.kit.withVersion(v);
const abDevice = (thing: string, boot = true) => ab.kit.device(thing, { boot });

test('an update resumes after a gateway restart mid-transfer, and SUCCEEDED is recorded only once the device proved it', async () => {
  const d = abDevice('gw-ota-1');
  await d.waitLine(/^mqtt: connected/, 15000);
  ab.rig.gw.updates().queue('gw-ota-1', withVersion('0.9.0'), '0.9.0');
  await d.waitLine(/^ota: receiving 0\.9\.0/, 15000);
  // Restart the gateway once a few chunks are in flash.
  await until(() => (d.device.storage.read('fw.b')?.indexOf(0xff) ?? 0) > 2000, 15000, () => 'no chunks arrived');
  await ab.rig.gw.restart();
  expect(ab.rig.gw.updates().status('gw-ota-1')?.state).toBe('running'); // as the old gateway left it
  const done = await ab.rig.gw.updates().outcome('gw-ota-1');
  expect(done).toMatchObject({ state: 'SUCCEEDED', detail: 'running 0.9.0', switched: true });
  expect(d.lines.some((l) => /^ota: receiving 0\.9\.0 \(\d+ bytes\) into fw\.b from byte \d+/.test(l))).toBe(true);
  expect(d.lines).toContain('ota: running 0.9.0, proven');
  expect(ab.rig.gw.logs).toContain('update gw-ota-1: SUCCEEDED (running 0.9.0)');
}, 90000);

test('a device that is offline gets its update when it connects; the same version is refused with its reason', async () => {
  const d = abDevice('gw-ota-2', false);
  ab.rig.gw.updates().queue('gw-ota-2', ab.kit.fw, version);
  await new Promise((r) => setTimeout(r, 500));
  expect(ab.rig.gw.updates().status('gw-ota-2')?.state).toBe('pending');
  d.device.boot();
  const done = await ab.rig.gw.updates().outcome('gw-ota-2');
  expect(done).toMatchObject({ state: 'REJECTED', detail: `already running ${version}` });
}, 60000);
