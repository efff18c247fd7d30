// `npm run fuzz` as a user runs it: child processes watched for hangs, a JSON summary with cases per
// second, exit 0 when every case passed, and one sentence for a bad flag. Run as a child process
// with a deadline, so a hang fails this test instead of stalling the suite.
import { runTool } from '../support/run-tool';

const fuzz = (args: string[], timeoutMs = 60000) => runTool('tools/fuzz/cli.ts', args, timeoutMs);

test('--cases 40000 --json passes on two jobs and reports cases per second and a flat heap', async () => {
  const r = await fuzz(['--cases', '40000', '--seed', '5', '--json']);
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const s = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(s).toMatchObject({ cases: 40000, failed: 0, problems: [], failures: [] });
  expect(s.casesPerSecond).toBeGreaterThan(0);
  expect(s.heapGrowthMB).toBeLessThan(32);
}, 90000);

test('a bad flag is one sentence and exit 1', async () => {
  const r = await fuzz(['--target', 'nope']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/use device, gateway-auth or all/);
});

test('--replay runs one case by its seed and prints it', async () => {
  const r = await fuzz(['--target', 'device', '--replay', '42']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
});
