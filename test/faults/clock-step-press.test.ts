// SNTP steps the clock while the button is held, on the exact bundle (virtual NodeMCU, gestures on).
// Every 30 s the ESP8266's SNTP sets the clock to whole seconds, so it can step back by under a
// second. A step back of nearly the hold time made the release read as a few ms after its press;
// the gesture code dropped it as bounce and believed the button still held: a double click never
// came out (seen once in CI), and a single press turned into MAINTENANCE 10 s later.
// setWatch's own debounce (Espruino's timers, which setTime leaves alone) is the debounce now.
import { createWorkspace, sleep, startRigDevice, until, type RigDevice, type Workspace } from '../interop/support/rig';

let ws: Workspace;
let d: RigDevice;

beforeAll(async () => {
  ws = await createWorkspace();
}, 60000);
afterAll(() => ws?.cleanup());
beforeEach(async () => {
  // Nothing to connect to: presses are queued in flash, and the console says which click it was.
  // A wide double window, so a busy host's late timers cannot split the double click in two.
  d = startRigDevice(ws, 'clock-step', { kind: 'plain', port: 1 }, { button: { gestures: true, doubleMs: 1000 } });
  await d.waitLine(/^wifi: connected/, 10000);
  await sleep(300); // SNTP's first answer (100 ms after the IP) has set the clock
});
afterEach(() => d?.close());

/** A press held `holdMs`, with the clock stepped back `stepMs` a third of the way into the hold. */
async function pressWithStep(holdMs: number, stepMs: number): Promise<void> {
  const press = d.device.press(holdMs);
  await sleep(holdMs / 3);
  d.device.evaluate(`setTime(getTime()-${stepMs / 1000})`);
  await press;
}

const clicks = () => d.lines.map((l) => /^press (\S+) seq \d+ queued/.exec(l)?.[1]).filter((c) => c !== undefined);

test('a double click whose second press straddles a step back of the clock is one DOUBLE', async () => {
  await d.device.press(150);
  await sleep(120);
  await pressWithStep(150, 140);
  await until(() => clicks().length > 0, 5000, () => `no click; last lines:\n${d.lines.slice(-10).join("\n")}`);
  await sleep(300); // nothing else follows
  expect(clicks()).toEqual(['DOUBLE']);
});

test('a single press straddling a step back of the clock is one SINGLE, not MAINTENANCE', async () => {
  await pressWithStep(150, 140);
  await until(() => clicks().length > 0, 5000, () => `no click; last lines:\n${d.lines.slice(-10).join("\n")}`);
  expect(clicks()).toEqual(['SINGLE']);
});
