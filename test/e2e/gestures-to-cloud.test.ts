// The exact bundle on a virtual NodeMCU: each gesture arrives at an aws-iot-device-sdk-v2 client.
import { createE2eEnv, events, settled, waitForLine, type E2eEnv } from './e2e-fixture';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
}, 60000);
afterAll(() => env.cleanup());

test('a single, a double and a long press each arrive once, in order, as the cloud sees them', async () => {
  const demo = await env.start();
  await settled(env, demo);
  await demo.press('single');
  await demo.waitForEvents(1, 10000);
  await demo.press('double');
  await demo.waitForEvents(2, 10000);
  await demo.press('long');
  const got = await demo.waitForEvents(3, 10000);
  const ev = got.map((m) => JSON.parse(m.payload));
  expect(ev.map((e) => e.clickType)).toEqual(['SINGLE', 'DOUBLE', 'LONG']);
  expect(ev.map((e) => e.seq)).toEqual([1, 2, 3]);
  for (const e of ev) {
    expect(e.thing).toBe(demo.thing);
    expect(typeof e.uptime).toBe('number');
    expect(e.fw).toMatch(/^\d+\.\d+\.\d+/);
    // SNTP has set the clock by now: whole epoch milliseconds.
    expect(Number.isInteger(e.ts)).toBe(true);
  }
  expect(got.every((m) => m.topic === `devices/${demo.thing}/events/button`)).toBe(true);
  // Availability: retained "online" once connected.
  expect(demo.messages.some((m) => m.topic === `devices/${demo.thing}/status` && m.payload === 'online')).toBe(true);
  expect(events(demo)).toHaveLength(3);
}, 60000);

test('with gestures off a press publishes on its edge, without waiting for a double', async () => {
  const demo = await env.start({ thing: 'edge-button', deviceConfig: { button: { gestures: false, debounceMs: 20, doubleMs: 400, longMs: 1500 } } });
  await settled(env, demo);
  await demo.press('double');
  const got = await demo.waitForEvents(2, 10000).catch((e) => {
    throw new Error(e.message + '\n' + env.lines.join('\n'));
  });
  expect(got.map((m) => JSON.parse(m.payload).clickType)).toEqual(['SINGLE', 'SINGLE']);
}, 60000);
