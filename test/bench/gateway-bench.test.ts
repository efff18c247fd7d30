// Smoke test of the gateway benchmark: with a handful of devices and one-second steps it runs end
// to end (broker, gateway child, observer, devices) and returns well-formed figures. It asserts no
// timing: how fast is the bench's job to measure, not this test's to judge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchGateway, gatewaySteps } from '../../tools/bench/gateway-bench';

describe('gateway bench', () => {
  const pkiDir = mkdtempSync(join(tmpdir(), 'gateway-bench-test-'));
  afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

  test('steps grow 50, 100, then by 100, and always end at the maximum', () => {
    expect(gatewaySteps(3)).toEqual([3]);
    expect(gatewaySteps(100)).toEqual([50, 100]);
    expect(gatewaySteps(250)).toEqual([50, 100, 200, 250]);
    expect(gatewaySteps(500)).toEqual([50, 100, 200, 300, 400, 500]);
  });

  test('a tiny run returns finite, non-negative figures and logs each step', async () => {
    const lines: string[] = [];
    const r = await benchGateway({ cwd: process.cwd(), log: (l) => lines.push(l), maxDevices: 3, stepSeconds: 1, baselineSamples: 6, pkiDir });
    for (const x of [r.gatewayAddedMs.p50, r.gatewayAddedMs.p99, r.gatewayDevices, r.gatewayMemoryPerDeviceKB]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
    }
    expect(Number.isInteger(r.gatewayDevices)).toBe(true);
    expect(r.gatewayDevices).toBeLessThanOrEqual(3);
    expect(lines.some((l) => /^gateway: 3 devices: .*(pass|FAIL)$/.test(l))).toBe(true);
  }, 90000);
});
