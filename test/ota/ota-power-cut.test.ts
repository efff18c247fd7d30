// Power cuts during an update: every Storage operation of a whole update (begin, every chunk, the
// verification, the switch, the trial's first boot and marks, the proof and the report) is replayed
// cut short at every byte, and for the boot log's one-byte records also half-programmed (NOR flash
// keeps every 1-bit of the target plus some). On each image the real loader must boot the old
// firmware or the new one, byte for byte, never neither; and booting on from there, without the new
// firmware ever proving itself, must end in a firmware that is proven.
import { replayLog } from '../../firmware/ota/boot-log';
import { sendUpdate } from '../../tools/ota/send-update';
import { createBenchDevice, createFlashStore, fakeBundle, runLoader, slotText, type Files, type Op } from './ota-bench-device';

const OLD = fakeBundle('1.0.0', 1500);
const NEW = fakeBundle('1.1.0', 1600);
const HALF_MASKS = [0x80, 0x41, 0x0f, 0xf0, 0x3c];

const clone = (f: Files): Files => new Map([...f].map(([n, b]) => [n, Buffer.from(b)]));

function apply(files: Files, op: Op, k = Infinity, half?: number): void {
  if (op.erase) {
    files.delete(op.name);
    return;
  }
  if (op.size !== undefined) files.set(op.name, Buffer.alloc(op.size, 0xff));
  const f = files.get(op.name)!;
  const n = Math.min(k, op.data!.length);
  for (let i = 0; i < n; i++) f[op.offset! + i] &= op.data![i];
  if (half !== undefined && n < op.data!.length) f[op.offset! + n] &= half;
}

function* images(before: Files, ops: Op[]): Generator<{ label: string; files: Files }> {
  const base = clone(before);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.size !== undefined) {
      // Creating a file: the old one is marked deleted first, then the new header and data go in.
      const gone = clone(base);
      gone.delete(op.name);
      yield { label: `op ${i} (create ${op.name}) before its header`, files: gone };
    }
    const len = op.erase ? 0 : op.data!.length;
    for (let k = 0; k <= len; k++) {
      const files = clone(base);
      apply(files, op, k);
      yield { label: `op ${i} (${op.erase ? 'erase' : 'write'} ${op.name}) cut at byte ${k}`, files };
      if (len <= 2 && k < len)
        for (const m of HALF_MASKS) {
          const half = op.data![k] | m;
          if (half === op.data![k] || half === 0xff) continue;
          const f2 = clone(base);
          apply(f2, op, k, half);
          yield { label: `op ${i} (${op.name}) byte ${k} half-programmed 0x${half.toString(16)}`, files: f2 };
        }
    }
    apply(base, op);
  }
}

it.each([
  ['proves itself on its first boot', true],
  ['never reaches the broker, and is rolled back after 3 boots', false],
])('a power cut at any byte of an update whose firmware %s leaves a device that boots the old or the new one', async (_what, proves) => {
  const dev = createBenchDevice({ version: '1.0.0', bundle: OLD, secret: 'ab'.repeat(32) });
  const before = clone(dev.store.files);
  const from = dev.lines.length;
  const out = sendUpdate(dev.link, { thing: 'bench', bundle: NEW, version: '1.1.0', secret: dev.secret, stepTimeoutMs: 500, outcomeTimeoutMs: 2000 });
  while (!dev.lines.slice(from).some((l) => / verified, restarting/.test(l))) await new Promise((r) => setTimeout(r, 5));
  if (proves) {
    expect(dev.boot()).toBe('fw.b');
    dev.online();
    expect((await out).status).toBe('SUCCEEDED');
  } else {
    for (let b = 0; b < 3; b++) {
      expect(dev.boot()).toBe('fw.b');
      dev.rx(30);
    }
    expect(dev.boot()).toBe('fw.a');
    dev.online();
    expect((await out).status).toBe('FAILED');
  }
  const ops = dev.store.ops.slice();
  expect(ops.length).toBeGreaterThan(10);

  let count = 0;
  for (const { label, files } of images(before, ops)) {
    count++;
    const store = createFlashStore(files);
    const ran = runLoader(store).ran;
    const text = ran && files.get(ran);
    const ok = !!text && (text.equals(slotText(OLD)) || text.equals(slotText(NEW)));
    if (!ok) throw new Error(`${label}: booted ${ran ?? 'nothing'}`);
    if (text!.equals(slotText(NEW))) {
      // The new firmware runs only on trial (it can still be rolled back) or once proven.
      const st = replayLog(store.read('.otalog'));
      if (!(st.trial === 'b' || st.good === 'b')) throw new Error(`${label}: new firmware running neither on trial nor proven`);
    }
    // Never proving itself, it runs out of boots and the old one comes back for good.
    let last: string | undefined = ran;
    for (let b = 0; b < 4; b++) last = runLoader(store).ran;
    const end = replayLog(store.read('.otalog'));
    if (end.trial) throw new Error(`${label}: still on trial after 5 boots`);
    if (!last || !(files.get(last)!.equals(slotText(OLD)) || (files.get(last)!.equals(slotText(NEW)) && end.good === 'b')))
      throw new Error(`${label}: after 5 boots ran ${last}`);
  }
  expect(count).toBeGreaterThan(1500);
});
