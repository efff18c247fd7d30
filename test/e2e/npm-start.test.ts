// `npm start -- --press ... --exit`, the scripted form of the no-hardware demo, run as a user
// would: a child process that builds, runs a stock (esp8266) virtual NodeMCU through the LAN
// gateway to the AWS-like broker, prints each cloud message as a JSON line, and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../support/run-tool';

const runCli = (args: string[], timeoutMs = 60000, cwd?: string) => runTool('tools/cli.ts', args, timeoutMs, cwd);
let elsewhere: string;
beforeAll(() => {
  elsewhere = mkdtempSync(join(tmpdir(), 'not-the-project-'));
});
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

// Run from a folder that is not the project: the CLI finds its own files (npm itself always runs
// scripts from the project, but `npx tsx path/to/tools/cli.ts` need not).
test('npm start -- --press single,double,long --exit prints three events and exits 0 (stock ESP8266 through the gateway)', async () => {
  const r = await runCli(['start', '--press', 'single,double,long', '--exit', '--broker-port', '0', '--timeout', '40'], 110000, elsewhere);
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.payload.clickType)).toEqual(['SINGLE', 'DOUBLE', 'LONG']);
  expect(lines.map((l) => l.payload.seq)).toEqual([1, 2, 3]);
  // The gateway strips its integrity tag: the cloud sees the same event as from a TLS device.
  expect(lines[0].payload.tag).toBeUndefined();
  expect(lines[0].topic).toBe('devices/sim-button/events/button');
}, 120000);

test('build from another folder builds the project and says where the bundle went', async () => {
  const r = await runCli(['build'], 60000, elsewhere);
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toMatch(/dist\/firmware\.js: \d+ bytes/);
}, 70000);

test('a bad gesture name is refused with a sentence saying what to use, and a non-zero exit', async () => {
  const r = await runCli(['start', '--press', 'triple', '--exit'], 60000);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/"triple" is not a gesture: use single, double or long/);
}, 70000);
