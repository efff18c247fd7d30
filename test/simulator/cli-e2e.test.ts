// End to end with the REAL Espruino CLI (node_modules/.bin/espruino) over the simulator's TCP
// console: --storage writes a file, SAVE_ON_SEND=1 saves code to .bootcde and load()s it. The CLI
// exits 0 even on failure, so every outcome is checked by reading the device back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { fixture, tempFile, waitFor } from './helpers';

jest.setTimeout(60000);

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'node_modules/.bin/espruino');
const boardJson = path.join(root, 'config/boards/ESP8266_4MB.json');

let sim: RunningSimulator;
let tmp: ReturnType<typeof tempFile>;
let lines: string[];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  tmp = tempFile('flash.bin');
  lines = [];
  sim = await runSimulator({ consolePort: 0, profile: 'esp8266', flashFile: tmp.file, log: (l) => lines.push(l) });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sim.close();
  tmp.cleanup();
});

/** Runs the CLI to completion (or kills it) and returns its output. */
function espruino(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '-p', `tcp://127.0.0.1:${sim.port}`, '--board', boardJson, '--config', 'MODULE_URL=', '--no-ble', ...args], {
      cwd: path.dirname(tmp.file),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 40000);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code) => {
      children.delete(child);
      clearTimeout(killer);
      resolve({ code, out });
    });
  });
}

test('--storage writes a binary file byte for byte', async () => {
  const data = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37) & 0xff));
  const file = path.join(path.dirname(tmp.file), 'blob.bin');
  fs.writeFileSync(file, data);
  const r = await espruino(['--storage', `blob.bin:${file}`, '-e', 'print("stored bytes: " + require("Storage").read("blob.bin").length)']);
  expect(r.code).toBe(0);
  expect(sim.device.storage.read('blob.bin')).toEqual(data);
  expect(lines).toContain('stored bytes: 700');
});

test('SAVE_ON_SEND=1 saves the bundle to .bootcde and the board runs it, also after a power cycle', async () => {
  const app = fixture('cli-app.js');
  const file = path.join(path.dirname(tmp.file), 'app.js');
  fs.writeFileSync(file, app);
  const r = await espruino(['--config', 'SAVE_ON_SEND=1', file]);
  expect(r.code).toBe(0);
  expect(sim.device.storage.read('.bootcde')?.toString()).toBe(app);
  await waitFor(() => lines.some((l) => l.startsWith('CLI-APP booted')), 'load() of the saved code');
  expect(sim.device.pinLevel('D2')).toBe(0);
  lines.length = 0;
  sim.device.reboot();
  expect(lines.some((l) => l.startsWith('CLI-APP booted'))).toBe(true);
  await waitFor(() => (sim.device.evaluate('beats') as number) > 1, 'the app running');
});

test('an expression sent with -e runs without resetting the board', async () => {
  sim.device.evaluate('var marker = "still here"');
  const r = await espruino(['-e', 'print("marker is " + marker + ", uptime ok " + (getTime() > 0))']);
  expect(r.code).toBe(0);
  expect(lines).toContain('marker is still here, uptime ok true');
});
