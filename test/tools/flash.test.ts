// flash through the real Espruino CLI into the virtual NodeMCU: the board stores the bundle, restarts
// into it, and the read-back proves it; bundles that cannot work are refused before anything is sent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { run } from '../../tools/flash/run';
import { cliArguments } from '../../tools/flash/espruino-cli';
import { requireBoardJson } from '../../tools/device/board-json';
import { buildFirmware } from '../../tools/build/build-firmware';
import { createMemoryLogger } from '../../tools/shared/log';
import type { ProgressFactory } from '../../tools/device/progress';
import { anchorOf } from '../support/user-error';
import { LOADER_SOURCE } from '../../firmware/ota/loader-source';

const cwd = process.cwd();
let sim: RunningSimulator;
let tmp: string;
beforeAll(async () => {
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266' });
  tmp = mkdtempSync(join(tmpdir(), 'flash-test-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(tmp, { recursive: true, force: true });
});

const port = () => `tcp://127.0.0.1:${sim.port}`;
const deps = (log = createMemoryLogger(), progress?: ProgressFactory) => ({ log, progress, findPort: async (p?: string) => p! });

function bundle(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text, 'latin1');
  return path;
}

test('a bundle goes into slot fw.a, the A/B loader to .bootcde through the Espruino CLI, the board restarts into it, and the read-back matches', async () => {
  const code = '(function(){\nvar n = 0;\nfor (var i = 0; i < 3; i++) n += i;\nglobal.flashed = "fixture-" + n;\nconsole.log("fixture booted " + n);\n})();\n'.repeat(30);
  const seen: number[] = [];
  const progress: ProgressFactory = (_label, total) => ({ add: () => {}, set: (d) => seen.push(d / total), stop: () => {} });
  const r = await run({ cwd, port: port(), bundle: bundle('fixture.js', code) }, deps(createMemoryLogger(), progress));
  expect(sim.device.storage.read('fw.a')?.toString('latin1')).toBe('\n' + code);
  expect(sim.device.storage.read('.bootcde')?.toString('latin1')).toBe(LOADER_SOURCE);
  expect(sim.device.storage.read('.otalog')?.toString('latin1')).toBe('a' + '\xff'.repeat(127));
  expect(sim.device.storage.read('ota.js')?.toString('latin1')).toMatch(/^\(function\(\)\{/);
  expect(r.bytes).toBe(code.length);
  expect(r.bootLines).toContain('boot: fw.a');
  expect(r.bootLines).toContain('fixture booted 3');
  expect(sim.device.evaluate('global.flashed')).toBe('fixture-3');
  expect(seen.length).toBeGreaterThan(1);
  expect(seen[seen.length - 1]).toBe(1);
}, 60000);

test('the real firmware build flashes and boots on the virtual NodeMCU', async () => {
  const outFile = join(tmp, 'firmware.js');
  const log = createMemoryLogger();
  // A budget well above the 20 KB one: flashing is what is tested here, not the size.
  const build = async () => (await buildFirmware({ cwd, outFile, budgetBytes: 64 * 1024, log: () => {} })).outFile;
  const r = await run({ cwd, port: port() }, { ...deps(log), build });
  expect(r.bootLines.some((l) => l.startsWith('espruino-aws-button '))).toBe(true);
  expect(log.lines.some((l) => /Flashed and verified \.bootcde/.test(l))).toBe(true);
}, 90000);

test('a bundle larger than the free Storage is refused before the board is touched', async () => {
  const before = sim.device.storage.read('fw.a');
  const huge = bundle('huge.js', '//' + 'x'.repeat(200 * 1024) + '\n');
  expect(await anchorOf(run({ cwd, port: port(), bundle: huge }, deps()))).toBe('bundle-too-big');
  expect(sim.device.storage.read('fw.a')).toEqual(before);
});

test('a bundle with non-ASCII bytes, or a missing one, is refused with its own sentence', async () => {
  expect(await anchorOf(run({ cwd, port: port(), bundle: bundle('utf8.js', 'print("\u00e9")') }, deps()))).toBe('bundle-not-ascii');
  expect(await anchorOf(run({ cwd, port: port(), bundle: join(tmp, 'nope.js') }, deps()))).toBe('bundle-missing');
});

test('the CLI runs offline: a local board file, no download URLs, save to flash', () => {
  const args = cliArguments('/x/espruino-cli.js', 4321, '/p/config/boards/ESP8266_4MB.json', '/p/dist/firmware.js');
  expect(args).toEqual(expect.arrayContaining(['--board', '/p/config/boards/ESP8266_4MB.json', 'MODULE_URL=', 'BOARD_JSON_URL=', 'SAVE_ON_SEND=1', '-b', '115200', '--no-ble']));
  expect(args).toContain('tcp://127.0.0.1:4321');
  expect(requireBoardJson(cwd, 'ESP8266_4MB')).toMatch(/config[/\\]boards[/\\]ESP8266_4MB\.json$/);
  expect(() => requireBoardJson(cwd, 'PICO_R1_3')).toThrow(/no offline board description for PICO_R1_3/);
});
