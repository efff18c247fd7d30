// The recorder through the project's device transports, against the virtual NodeMCU's TCP console:
// what it writes replays without a difference, it says where the transcript came from, and it
// refuses a board with saved code, a dead port, and a missing --port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { record } from '../../tools/fidelity/record';
import { replay } from '../../tools/fidelity/replay';
import { readTranscript } from '../../tools/fidelity/transcript';
import { allProbes } from '../../tools/fidelity/probes';
import { define } from '../../tools/fidelity/command';
import { anchorOf, failure } from '../support/user-error';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fidelity-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function withSimulator<T>(bundle: string | undefined, f: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await runSimulator({ consolePort: 0, profile: 'esp8266', bundle, log: () => undefined });
  try {
    return await f(sim);
  } finally {
    await sim.close();
  }
}

test('a recording from any Espruino console replays through the simulator, with its board, version and date', async () => {
  const out = path.join(dir, 'sim.json');
  const seen: number[] = [];
  const t = await withSimulator(undefined, (sim) =>
    record({ port: `tcp://127.0.0.1:${sim.port}`, out, eraseSavedCode: false, only: 'json' }, { progress: (done) => seen.push(done), now: () => new Date('2026-12-07T12:00:00Z') }),
  );
  const want = allProbes().filter((p) => p.id.includes('json'));
  expect(t.probes.map((p) => p.id)).toEqual(want.map((p) => p.id));
  expect(seen[seen.length - 1]).toBe(want.length);
  const saved = readTranscript(out);
  expect(saved).toMatchObject({ board: 'ESP8266_4MB', version: '2v29', linuxBuild: false, copyrightYear: 2025, recordedAt: '2026-12-07T12:00:00.000Z' });
  expect(saved.probes[0].output).toBe('JSON.stringify(undefined)\r\n="null"\r\n>');
  const r = await replay(saved);
  expect(r.mismatches).toEqual([]);
}, 60_000);

test('a board with saved code is refused unless --erase-saved-code, which erases it first', async () => {
  await withSimulator('print("app")', async (sim) => {
    const port = `tcp://127.0.0.1:${sim.port}`;
    const out = path.join(dir, 'saved.json');
    expect(await anchorOf(record({ port, out, eraseSavedCode: false, only: 'E.CRC32' }))).toBe('fidelity-saved-code');
    expect(fs.existsSync(out)).toBe(false);
    const t = await record({ port, out, eraseSavedCode: true, only: 'E.CRC32' });
    expect(t.probes.length).toBeGreaterThan(0);
  });
}, 60_000);

test('a console that does not answer is one sentence, and --record needs --port', async () => {
  const silent = await import('node:net').then((net) => net.createServer((s) => s.on('error', () => undefined)));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const port = `tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const e = await failure(record({ port, out: path.join(dir, 'x.json'), eraseSavedCode: false, timeoutMs: 300 }));
    expect(e.anchor).toBe('device-no-answer');
  } finally {
    silent.close();
  }
  const program = new Command().exitOverride();
  define(program);
  expect(await anchorOf(program.parseAsync(['node', 'cli', 'fidelity', '--record']))).toBe('fidelity-transcript');
});

test('--only replaces just those probes in an existing transcript, and refuses one from another board', async () => {
  const out = path.join(dir, 'merge.json');
  await withSimulator(undefined, async (sim) => {
    const port = `tcp://127.0.0.1:${sim.port}`;
    await record({ port, out, eraseSavedCode: false, only: 'E.CRC32' });
    await record({ port, out, eraseSavedCode: false, only: 'tools: doctor' });
    const ids = readTranscript(out).probes.map((p) => p.id);
    const order = allProbes().map((p) => p.id);
    expect(ids).toEqual(order.filter((id) => id.includes('E.CRC32') || id.includes('tools: doctor')));
    // The same transcript said to come from another board: nothing is mixed into it.
    const other = { ...readTranscript(out), board: 'ESP32' };
    fs.writeFileSync(out, JSON.stringify(other));
    expect(await anchorOf(record({ port, out, eraseSavedCode: false, only: 'E.CRC32' }))).toBe('fidelity-mixed-boards');
    expect(readTranscript(out).board).toBe('ESP32');
  });
}, 60_000);
