// npm start's update key, scripted (`npm start -- --update`): the next patch version is built,
// a job is created in the local AWS IoT Jobs, the gateway executes it on the A/B-flashed virtual
// NodeMCU, which switches to the new version and proves it; the outcome is one JSON line.
import { runTool } from '../support/run-tool';
import { version } from '../../package.json';
import { HELP } from '../../tools/start/terminal-ui';
import { nextPatch } from '../../tools/start/roll-out';

test('npm start -- --update rolls the next patch version out through the local Jobs; the device switches and runs it', async () => {
  const r = await runTool('tools/cli.ts', ['start', '--update', '--broker-port', '0', '--timeout', '60', '--verbose'], 110000);
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stderr}`);
  const next = nextPatch(version);
  expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'SUCCEEDED', detail: `running ${next}`, running: next });
  // What the screen shows (npm run update's own lines): the job, its progress, the switch, the new
  // version booting and proving itself.
  expect(r.stderr).toMatch(new RegExp(`Created job fw-${next.replace(/\./g, '-')}-\\d{8}T\\d{6}Z: firmware ${next.replace(/\./g, '\\.')}`));
  // --wait polls: a fast machine may finish a phase between two polls, so which of these shows varies.
  expect(r.stderr).toMatch(/sim-button: (queued|in progress( \d+%)? \((sending|switching)\))$/m);
  expect(r.stderr).toContain('sim-button: SUCCEEDED');
  expect(r.stderr).toContain(`[device] ota: ${next} verified, restarting into fw.b on trial`);
  expect(r.stderr).toContain(`[device] espruino-aws-button ${next} thing sim-button`);
  expect(r.stderr).toContain(`[device] ota: running ${next}, proven`);
  expect(r.stderr).not.toMatch(/dropped event .* ota\/out/);
}, 120000);

test('the help line shows the update key; the next version is the next patch', () => {
  expect(HELP).toContain('u update');
  expect(nextPatch('0.1.9')).toBe('0.1.10');
});
