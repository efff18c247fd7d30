// The hand-written loader (firmware/ota/loader-source.ts) agrees with replayLog, the boot log's
// reference reading, on every log of up to 4 records; and a missing log or slot still boots.
import { LOG_BYTES, replayLog, TRIES } from '../../firmware/ota/boot-log';
import { createFlashStore, runLoader } from './ota-bench-device';

const RECORDS = ['A', 'B', 't', 'w', 'm', 'x', 'k', 'r', 'z', '\x13'];

function* logs(prefix: string, depth: number): Generator<string> {
  yield prefix;
  if (depth) for (const r of RECORDS) yield* logs(prefix + r, depth - 1);
}

const withSlots = (log?: string) => {
  const s = createFlashStore();
  s.write('fw.a', '\nA');
  s.write('fw.b', '\nB');
  if (log !== undefined) s.write('.otalog', log, 0, LOG_BYTES);
  return s;
};

it('boots what replayLog says, counting a trial boot or rolling it back', () => {
  let n = 0;
  for (const header of ['a', 'b'])
    for (const log of logs(header, 4)) {
      n++;
      const st = replayLog(log);
      const store = withSlots(log);
      const ran = runLoader(store).ran;
      const onTrial = st.trial && st.tries < TRIES;
      const written = store.read('.otalog')!.slice(log.length, log.length + 1);
      const want = ['fw.' + (onTrial ? st.trial : st.good), st.trial ? (onTrial ? 't' : 'r') : '\xff'];
      if (ran !== want[0] || written !== want[1]) expect([JSON.stringify(log), ran, written]).toEqual([JSON.stringify(log), ...want]);
    }
  expect(n).toBeGreaterThan(20000);
});

it('boots slot a without a log, the other slot when the chosen one is missing, and nothing when both are', () => {
  expect(runLoader(withSlots()).ran).toBe('fw.a');
  const s = withSlots('b');
  s.erase('fw.b');
  expect(runLoader(s).ran).toBe('fw.a');
  const none = createFlashStore();
  expect(runLoader(none).ran).toBeUndefined();
});

it('restarts a trial that is not proven by the deadline', () => {
  const s = withSlots('aB');
  const r = runLoader(s);
  expect(r.ran).toBe('fw.b');
  expect(r.reloads).toBe(1);
  expect(r.lines).toContain('boot: trial not proven in time, restarting');
});
