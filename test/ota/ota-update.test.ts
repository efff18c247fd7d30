// Updates end to end on the device model (ota-bench-device.ts): the host's sendUpdate against the
// real receiver and the real loader. Each bad input is refused before anything changes, and a new
// firmware that cannot prove itself is rolled back after 3 boots with the reason.
import { sendUpdate, type SendUpdateOptions } from '../../tools/ota/send-update';
import { createBenchDevice, fakeBundle, slotText, type BenchDevice } from './ota-bench-device';

const OLD = fakeBundle('1.0.0');
const NEW = fakeBundle('1.1.0', 5000);
const SECRET = 'ab'.repeat(32);

function send(dev: BenchDevice, o: Partial<SendUpdateOptions> & { bundle: Buffer; version: string }) {
  return sendUpdate(dev.link, { thing: 'bench', secret: dev.secret || undefined, stepTimeoutMs: 200, outcomeTimeoutMs: 2000, ...o });
}

/** Runs an update to the switch, then boots and brings the new firmware online (or not). */
async function update(dev: BenchDevice, o: Partial<SendUpdateOptions> & { bundle: Buffer; version: string }, proves = true) {
  const from = dev.lines.length;
  const out = send(dev, o);
  await switched(dev, from);
  dev.rx(4, undefined, dev.fw); // the PUBACK of "switching" reaches the old firmware: it proves nothing
  for (let boot = 0; boot < 4; boot++) {
    const ran = dev.boot();
    if (ran === undefined) throw new Error('nothing booted');
    if (proves || dev.fw === '1.0.0') {
      dev.online();
      break;
    }
    dev.rx(30); // Wi-Fi comes up, the broker never answers; the trial deadline restarts it
  }
  return out;
}

/** Until the receiver has switched (its restart timer is armed), or 2 s. */
async function switched(dev: BenchDevice, from = 0): Promise<void> {
  for (let i = 0; i < 200 && !dev.lines.slice(from).some((l) => / verified, restarting/.test(l)); i++) await new Promise((r) => setTimeout(r, 10));
}

const log = (dev: BenchDevice) => dev.store.read('.otalog')!.replace(/\xff+$/, '');

describe('an update over the device topics', () => {
  it('installs a newer version, which proves itself on its first boot and reports ok', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD, secret: SECRET });
    const progress: number[] = [];
    const r = await update(dev, { bundle: NEW, version: '1.1.0', onProgress: (s) => progress.push(s) });
    expect(r).toEqual({ status: 'SUCCEEDED', detail: 'running 1.1.0' });
    expect(dev.store.files.get('fw.b')).toEqual(slotText(NEW));
    expect(dev.store.files.get('fw.a')).toEqual(slotText(OLD)); // the previous firmware is kept
    expect(log(dev)).toBe('aBtwmkz');
    expect(dev.store.read('ota.new')).toBeUndefined();
    expect(progress[progress.length - 1]).toBe(NEW.length);
    // No chunk erased anything: the slot was made once, then filled at offsets.
    expect(dev.store.ops.filter((o) => o.name === 'fw.b' && o.offset === 0)).toHaveLength(1);
  });

  it('refuses the version it runs, and an older one unless a downgrade is allowed', async () => {
    const dev = createBenchDevice({ version: '1.1.0', bundle: fakeBundle('1.1.0') });
    expect(await send(dev, { bundle: fakeBundle('1.1.0'), version: '1.1.0' })).toEqual({ status: 'REJECTED', detail: 'already running 1.1.0' });
    const older = await send(dev, { bundle: OLD, version: '1.0.0' });
    expect(older).toEqual({ status: 'REJECTED', detail: '1.0.0 is older than 1.1.0 (allow a downgrade to install it)' });
    expect(dev.store.files.has('fw.b')).toBe(false);
    expect(await update(dev, { bundle: OLD, version: '1.0.0', allowDowngrade: true })).toEqual({ status: 'SUCCEEDED', detail: 'running 1.0.0' });
  });

  it('refuses a tampered chunk by its CRC-32 and drops what it staged; the running firmware is untouched', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    const alterChunk = (offset: number, chunk: Buffer) => [{ offset, chunk: offset === 512 ? Buffer.from(chunk.toString('latin1').replace('1', '7'), 'latin1') : chunk }];
    expect(await send(dev, { bundle: NEW, version: '1.1.0', alterChunk })).toEqual({ status: 'REJECTED', detail: 'bundle fails its CRC-32 check' });
    expect(dev.store.files.has('fw.b')).toBe(false);
    expect(log(dev)).toBe('a');
    expect(dev.boot()).toBe('fw.a');
  });

  it('refuses a bundle whose HMAC was made with another secret (gateway mode), and an unsigned one', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD, secret: SECRET });
    expect(await send(dev, { bundle: NEW, version: '1.1.0', secret: 'cd'.repeat(32) })).toEqual({ status: 'REJECTED', detail: 'bundle fails its HMAC check' });
    expect(await sendUpdate(dev.link, { thing: 'bench', bundle: NEW, version: '1.1.0', stepTimeoutMs: 200 })).toEqual({
      status: 'REJECTED',
      detail: 'unsigned bundle in gateway mode',
    });
    expect(log(dev)).toBe('a');
  });

  it('asks again for a missing chunk and ignores a repeated one', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    let skipped = 0;
    const alterChunk = (offset: number, chunk: Buffer) => {
      if (offset === 1024 && !skipped++) return [{ offset: offset + 512, chunk }]; // lost: the next one arrives first
      return [{ offset, chunk }, { offset, chunk }]; // every chunk twice
    };
    expect(await update(dev, { bundle: NEW, version: '1.1.0', alterChunk })).toEqual({ status: 'SUCCEEDED', detail: 'running 1.1.0' });
    expect(dev.store.files.get('fw.b')).toEqual(slotText(NEW));
  });

  it('refuses a bundle larger than the Storage left, before writing anything', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD, capacity: 8000 });
    const r = await send(dev, { bundle: NEW, version: '1.1.0' });
    expect(r.status).toBe('REJECTED');
    expect(r.detail).toMatch(/^bundle of 5009 bytes does not fit the \d+ bytes of Storage left$/);
    expect(dev.store.ops).toEqual([]);
  });

  it('rolls back a new firmware that never reaches the broker after 3 boots, and the old one reports why', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD, secret: SECRET });
    const r = await update(dev, { bundle: NEW, version: '1.1.0' }, false);
    expect(r).toEqual({ status: 'FAILED', detail: 'rolled back to 1.0.0: the new firmware joined Wi-Fi but never reached the broker in 3 boots' });
    expect(log(dev)).toBe('aBtwtwtwrz');
    expect(dev.fw).toBe('1.0.0');
    expect(dev.lines).toContain('boot: fw.b (trial 3 of 3)');
    // A later update goes into the failed slot again, never over the proven one.
    expect(await update(dev, { bundle: fakeBundle('1.2.0'), version: '1.2.0' })).toEqual({ status: 'SUCCEEDED', detail: 'running 1.2.0' });
    expect(dev.store.files.get('fw.a')).toEqual(slotText(OLD));
  });

  it('does not let the old firmware prove a trial it switched to but has not booted yet', () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    dev.store.write('fw.b', slotText(NEW).toString('latin1'));
    dev.store.write('.otalog', 'B', 1);
    for (const ev of [30, 20, 4]) dev.rx(ev, undefined, '1.0.0');
    expect(log(dev)).toBe('aB');
    expect(dev.boot()).toBe('fw.b');
  });

  it('refuses a chunk holding 0xFF or running past the announced length, an unreadable begin, and a device without slots', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    const ff = (offset: number, chunk: Buffer) => [{ offset, chunk: offset === 256 ? Buffer.concat([chunk.subarray(1), Buffer.from([0xff])]) : chunk }];
    expect(await send(dev, { bundle: NEW, version: '1.1.0', alterChunk: ff })).toEqual({ status: 'REJECTED', detail: 'bad chunk at byte 256' });
    const long = (offset: number, chunk: Buffer) => [{ offset, chunk: Buffer.concat([chunk, Buffer.from('x'.repeat(NEW.length))]) }];
    expect(await send(dev, { bundle: NEW, version: '1.1.0', alterChunk: long })).toEqual({ status: 'REJECTED', detail: 'bad chunk at byte 0' });
    expect(dev.store.files.has('fw.b')).toBe(false);
    expect(dev.store.read('ota.new')).toBeUndefined();
    const replies: string[] = [];
    dev.link.onReply((p) => replies.push(p.toString()));
    dev.link.publish('devices/bench/ota/in', Buffer.from('{not json'));
    for (let i = 0; i < 200 && !replies.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(JSON.parse(replies[0])).toEqual({ s: 'refused', why: 'unreadable message' });
    dev.store.erase('fw.a');
    expect(await send(dev, { bundle: NEW, version: '1.1.0' })).toEqual({ status: 'REJECTED', detail: 'no A/B slots on this device: flash it once with npm run flash' });
  });

  it('is refused while the previous update is still on trial', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    const out = send(dev, { bundle: NEW, version: '1.1.0', outcomeTimeoutMs: 100 });
    await switched(dev);
    dev.boot();
    await out;
    expect(await send(dev, { bundle: fakeBundle('1.2.0'), version: '1.2.0' })).toEqual({ status: 'REJECTED', detail: 'busy: the last update has not proven itself yet' });
  });

  it('resumes where the flash stopped when the sender starts over (a gateway restart)', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    // The first sender dies after 3 chunks: its later chunks never leave.
    const first = send(dev, { bundle: NEW, version: '1.1.0', stepTimeoutMs: 100, alterChunk: (o, c) => (o < 1536 ? [{ offset: o, chunk: c }] : []) });
    expect((await first).status).toBe('TIMED_OUT');
    const sent: number[] = [];
    const r = await update(dev, { bundle: NEW, version: '1.1.0', alterChunk: (o, c) => (sent.push(o), [{ offset: o, chunk: c }]) });
    expect(r.status).toBe('SUCCEEDED');
    expect(sent[0]).toBe(1536);
    expect(dev.lines).toContain('ota: receiving 1.1.0 (5009 bytes) into fw.b from byte 1536');
  });

  it('counts a firmware that throws at boot as a failed boot', async () => {
    const dev = createBenchDevice({ version: '1.0.0', bundle: OLD });
    const bad = Buffer.from('print("firmware 2.0.0");THROW', 'latin1');
    const out = send(dev, { bundle: bad, version: '2.0.0' });
    await switched(dev);
    for (let i = 0; i < 3; i++) expect(dev.boot()).toBe('fw.b');
    expect(dev.boot()).toBe('fw.a');
    dev.online();
    expect(await out).toEqual({ status: 'FAILED', detail: 'rolled back to 1.0.0: the new firmware stopped with an error at boot' });
  });
});
