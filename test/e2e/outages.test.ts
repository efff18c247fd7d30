// No press is lost: Wi-Fi down, broker restart and a power cut, each with presses in between.
import { createE2eEnv, events, settled, sleep, waitForLine, type E2eEnv } from './e2e-fixture';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
}, 60000);
afterAll(() => env.cleanup());

const fast = { button: { gestures: false, debounceMs: 20, doubleMs: 400, longMs: 1500 }, backoff: { baseMs: 200, capMs: 1000 } };

test('five presses during a Wi-Fi outage are all delivered in order once it returns', async () => {
  const demo = await env.start({ thing: 'wifi-button', deviceConfig: fast });
  await settled(env, demo);
  demo.device.wifiDown();
  await waitForLine(env, /wifi: disconnected/, 5000);
  for (let i = 0; i < 5; i++) {
    await demo.press('single');
    await sleep(100);
  }
  expect(events(demo)).toHaveLength(0);
  demo.device.wifiUp();
  const got = await demo.waitForEvents(5, 30000);
  expect(got.map((m) => JSON.parse(m.payload).seq)).toEqual([1, 2, 3, 4, 5]);
}, 60000);

test('presses made while the broker restarts are delivered after it is back', async () => {
  const demo = await env.start({ thing: 'broker-button', deviceConfig: fast });
  await settled(env, demo);
  await demo.press('single');
  await demo.waitForEvents(1, 10000);
  await sleep(200); // the first press is published on its down edge: let it be released
  await demo.brokerDown();
  await demo.press('single');
  await sleep(100);
  await demo.press('single');
  await sleep(300);
  await demo.brokerUp();
  const got = await demo.waitForEvents(3, 30000).catch((e) => {
    throw new Error(e.message + '\n' + env.lines.join('\n'));
  });
  expect(got.map((m) => JSON.parse(m.payload).seq)).toEqual([1, 2, 3]);
}, 60000);

test('presses not yet delivered when the power is cut are delivered after the reboot, and seq keeps counting', async () => {
  const demo = await env.start({ thing: 'power-button', deviceConfig: fast });
  await settled(env, demo);
  demo.device.wifiDown();
  await waitForLine(env, /wifi: disconnected/, 5000);
  await demo.press('single');
  await sleep(100);
  await demo.press('single');
  await sleep(100);
  demo.device.powerCut();
  demo.device.wifiUp();
  demo.device.boot();
  await waitForLine(env, /outbox: 2 press/, 10000);
  const got = await demo.waitForEvents(2, 30000);
  expect(got.map((m) => JSON.parse(m.payload).seq)).toEqual([1, 2]);
  await demo.press('single');
  const after = await demo.waitForEvents(3, 10000);
  expect(JSON.parse(after[2].payload).seq).toBe(3);
}, 60000);
