// npm start's update key, scripted (`npm start -- --update`): the next patch version is built,
// a job is created in the local AWS IoT Jobs, the gateway executes it on the A/B-flashed virtual
// NodeMCU, which switches to the new version and proves it; the outcome is one JSON line.
import { runTool } from '../support/run-tool';
import { version } from '../../package.json';
import { HELP } from '../../tools/start/terminal-ui';
import { describeExecution, nextPatch } from '../../tools/start/roll-out';

test('npm start -- --update rolls the next patch version out through the local Jobs; the device switches and runs it', async () => {
  const r = await runTool('tools/cli.ts', ['start', '--update', '--broker-port', '0', '--timeout', '60', '--verbose'], 110000);
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stderr}`);
  const next = nextPatch(version);
  expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'SUCCEEDED', detail: `running ${next}`, running: next });
  // What the screen shows: the job's progress, the switch, the new version booting and proving itself.
  expect(r.stderr).toMatch(/IN_PROGRESS: (sending|switching)/);
  expect(r.stderr).toContain(`[device] ota: ${next} verified, restarting into fw.b on trial`);
  expect(r.stderr).toContain(`[device] espruino-aws-button ${next} thing sim-button`);
  expect(r.stderr).toContain(`[device] ota: running ${next}, proven`);
  expect(r.stderr).not.toMatch(/dropped event .* ota\/out/);
}, 120000);

test('the help line shows the update key; versions and progress read as a person would', () => {
  expect(HELP).toContain('u update');
  expect(nextPatch('0.1.9')).toBe('0.1.10');
  const e = { jobId: 'j', thingName: 't', versionNumber: 3, executionNumber: 1, queuedAt: new Date(), lastUpdatedAt: new Date() };
  expect(describeExecution({ ...e, status: 'IN_PROGRESS', statusDetails: { step: 'sending', sent: '4096', total: '16384' } })).toBe('IN_PROGRESS: sending 4096/16384 bytes (25%)');
  expect(describeExecution({ ...e, status: 'FAILED', statusDetails: { detail: 'rolled back to 0.1.0: the new firmware never joined Wi-Fi in 3 boots' } })).toBe('FAILED: rolled back to 0.1.0: the new firmware never joined Wi-Fi in 3 boots');
});
