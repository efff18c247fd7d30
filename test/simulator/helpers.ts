// Shared helpers for simulator tests: a device whose console output is collected, and polling
// for an outcome (with a generous deadline) instead of asserting on timing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVirtualDevice, type VirtualDevice, type VirtualDeviceOptions } from '../../tools/simulator/device';

export interface TestDevice {
  device: VirtualDevice;
  /** Everything the device printed so far. */
  output(): string;
}

export function makeDevice(opts: Partial<VirtualDeviceOptions> = {}): TestDevice {
  let out = '';
  const device = createVirtualDevice({
    profile: 'esp8266',
    ...opts,
    console: (t) => {
      out += t;
      opts.console?.(t);
    },
  });
  return { device, output: () => out };
}

/**
 * A fresh device for every test of the file (booted unless `boot` is false), closed after it: the
 * returned object always shows the current test's device.
 */
export function deviceForEachTest(opts: Partial<VirtualDeviceOptions> = {}, boot = true): TestDevice {
  let current: TestDevice | undefined;
  beforeEach(() => {
    current = makeDevice(opts);
    if (boot) current.device.boot();
  });
  afterEach(async () => {
    await current?.device.close();
  });
  return {
    get device() {
      return current!.device;
    },
    output: () => current!.output(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until cond() holds; fails with `what` if it never does. */
export async function waitFor(cond: () => boolean, what: string, deadlineMs = 8000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
}

export function tempFile(name: string): { file: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-test-'));
  return { file: path.join(dir, name), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
