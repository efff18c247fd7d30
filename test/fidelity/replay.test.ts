// Replays every probe recorded from the real Espruino 2v29 through the simulator's console and
// requires the same bytes, except the deliberate differences listed in exceptions.json (at most 5%).
import path from 'node:path';
import { replay, describeMismatch, type ReplayResult } from '../../tools/fidelity/replay';
import { readExceptions, readTranscript } from '../../tools/fidelity/transcript';
import { allProbes } from '../../tools/fidelity/probes';

const root = path.join(__dirname, '..', '..');
const transcript = readTranscript(path.join(root, 'test', 'fidelity', 'transcripts', 'esp8266-2v29.json'));
const exceptions = readExceptions(path.join(root, 'test', 'fidelity', 'exceptions.json'));
let result: ReplayResult;

beforeAll(async () => {
  result = await replay(transcript, exceptions);
}, 120_000);

test('the transcript says where it came from and holds at least 200 probes', () => {
  expect(transcript.board).toBe('ESP8266_4MB');
  expect(transcript.version).toMatch(/^2v29/);
  expect(Date.parse(transcript.recordedAt)).not.toBeNaN();
  expect(transcript.probes.length).toBeGreaterThanOrEqual(200);
});

test('the transcript was recorded from the probes the recorder sends today', () => {
  const now = allProbes().map((p) => JSON.stringify([p.id, p.steps]));
  expect(transcript.probes.map((p) => JSON.stringify([p.id, p.steps]))).toEqual(now);
});

test('the simulator prints what Espruino 2v29 printed for every probe not listed as an exception', () => {
  const report = result.unexplained.map(describeMismatch).join('\n\n');
  expect(report).toBe('');
});

test('deliberate differences stay within 5% of the probes and every one still differs', () => {
  expect(Object.keys(exceptions).length).toBeLessThanOrEqual(Math.floor(transcript.probes.length * 0.05));
  expect(result.staleExceptions).toEqual([]);
  for (const id of Object.keys(exceptions)) expect(transcript.probes.some((p) => p.id === id)).toBe(true);
});
