// Smoke test of the firmware-update benchmark: with the simulator's speeds off (so it runs fast) a
// newer firmware goes through the real gateway to the A/B virtual NodeMCU and every figure comes
// back a finite number. It asserts no timing: how fast is the bench's job to measure.
import { benchOta } from '../../tools/bench/ota-bench';

test('the ota bench returns every figure as a number, its split adding up to the whole', async () => {
  const r = await benchOta({ cwd: process.cwd(), speeds: { flashPageProgramMs: 0, flashSectorEraseMs: 0, linkBytesPerSecond: 0 } });
  for (const k of ['otaSeconds', 'otaGoalSeconds', 'otaBundleBytes', 'otaFlashBusySeconds', 'otaPeakJsVars', 'otaIdleJsVars'] as const) {
    expect(typeof r[k]).toBe('number');
    expect(Number.isFinite(r[k])).toBe(true);
    expect(r[k]).toBeGreaterThanOrEqual(0);
  }
  const { transfer, switch: sw, prove } = r.otaSplitSeconds;
  for (const x of [transfer, sw, prove]) expect(Number.isFinite(x) && x >= 0).toBe(true);
  expect(transfer + sw + prove).toBeCloseTo(r.otaSeconds, 2);
  expect(r.otaGoalSeconds).toBe(15);
  expect(r.otaPeakJsVars).toBeGreaterThan(0); // the receiver is loaded during an update
  expect(r.otaFlashBusySeconds).toBe(0); // speeds off
}, 120000);
