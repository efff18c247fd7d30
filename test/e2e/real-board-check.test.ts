// The check docs/real-board.md tells a NodeMCU owner to run (npm run real-board), run here on the
// virtual NodeMCU's TCP console with the Linux build's stand-ins forced, so CI proves the check
// itself: flash, provision in both modes, doctor, a SINGLE and a LONG press in the cloud, (--update)
// the next patch version rolled out by AWS IoT job through the gateway, and an update over the air
// of the direct board whose next press carries the new version.
// On the real interpreter it was run by hand; what it printed is in docs/real-board.md.
import path from 'node:path';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { runRealBoardCheck } from '../../tools/real-board/run';
import { createMemoryLogger } from '../../tools/shared/log';
import { tempFile } from '../simulator/helpers';
import { nextPatch } from '../../tools/start/roll-out';
import { version } from '../../package.json';

jest.setTimeout(180000);

const root = path.resolve(__dirname, '../..');
const wifi = { ssid: 'bench-ap', password: 'bench-ap-pass' };
let sim: RunningSimulator;
let tmp: ReturnType<typeof tempFile>;

beforeAll(async () => {
  tmp = tempFile('flash.bin');
  sim = await runSimulator({ consolePort: 0, profile: 'esp32', flashFile: tmp.file, wifi });
});
afterAll(async () => {
  await sim.close();
  tmp.cleanup();
});

test('the real-board check passes every step on a board with tls: gateway and direct, presses arrive, an update by job runs', async () => {
  const log = createMemoryLogger();
  const steps = await runRealBoardCheck(
    { cwd: root, port: `tcp://127.0.0.1:${sim.port}`, thing: 'real-board-ci', host: '127.0.0.1', gatewayOnly: false, timeoutS: 20, wifi, forceStandIns: true, update: true },
    log,
  );
  expect(steps.filter((s) => !s.ok)).toEqual([]);
  expect(steps.map((s) => s.name)).toEqual([
    'board answers',
    'npm run flash',
    'npm run provision (gateway)',
    'npm run doctor (gateway)',
    'SINGLE press arrives in the cloud (gateway)',
    'LONG press arrives in the cloud (gateway)',
    `update to ${nextPatch(version)} by job (gateway)`,
    `a press after the update comes from ${nextPatch(version)}`,
    'npm run provision (direct)',
    'npm run doctor (direct)',
    'SINGLE press arrives in the cloud (direct)',
    'LONG press arrives in the cloud (direct)',
    'npm run update (direct)',
    'a press after the update carries the new version (direct)',
  ]);
  // The Wi-Fi password went to the board, never to the output.
  expect(log.lines.join('\n')).not.toContain(wifi.password);
});
