// A bad config.json in flash: one clear console line naming the problem and the error pattern
// on the LED, and the device keeps running (no exception loop).
import { createE2eEnv, settled, sleep, waitForLine, type E2eEnv } from './e2e-fixture';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
}, 60000);
afterAll(() => env.cleanup());

test('a field of the wrong type is named on the console and the LED shows the error pattern', async () => {
  const demo = await env.start({ thing: 'bad-port', deviceConfig: { mqtt: { host: '127.0.0.1', port: 'eighty', transport: 'tls' } } });
  const line = await waitForLine(env, /mqtt\.port/, 5000);
  expect(line).toMatch(/config: mqtt\.port .*eighty/);
  await waitForLine(env, /error: config\.json has errors/, 5000);
  env.led.splice(0);
  // The error pattern keeps blinking (it repeats until the cause is fixed): it lights again at least
  // twice. Waited for, not slept on: a loaded machine runs the pattern's timers late, not never.
  for (const t0 = Date.now(); env.led.filter((x) => x).length < 2 && Date.now() - t0 < 15000; ) await sleep(50);
  expect(env.led.filter((x) => x).length).toBeGreaterThanOrEqual(2);
  expect(env.lines.join('\n')).not.toMatch(/Uncaught/);
  expect(demo.device.evaluate('1+1')).toBe(2);
}, 30000);

test('config.json that is not JSON gets its own line, and the device stays up', async () => {
  const demo = await env.start({ thing: 'garbled', rawConfig: '{"thing": "x", oops' });
  await waitForLine(env, /config/, 5000);
  await waitForLine(env, /error: config\.json has errors/, 5000);
  expect(env.lines.join('\n')).not.toMatch(/Uncaught/);
  expect(demo.device.evaluate('2+2')).toBe(4);
}, 30000);

test('a torn config.json with a verified config.bak beside it (power cut during provisioning): the device says so and works from the backup', async () => {
  const demo = await env.start({ thing: 'torn-config', rawConfig: '{"thing":"torn-con', backupConfig: true });
  await waitForLine(env, /config: config\.json unreadable, using config\.bak/, 5000);
  // Connected and SNTP's first clock jump over: a press inside that jump can be lost (a known bug of
  // its own, test/faults/clock-jump.test.ts), and on a loaded machine the jump comes later.
  await settled(env, demo);
  await demo.press('single');
  const got = await demo.waitForEvents(1, 10000);
  expect(JSON.parse(got[0].payload).thing).toBe('torn-config');
}, 30000);

test('the same in gateway mode: the device secret, read from flash per connect and per press, comes from config.bak too', async () => {
  const demo = await env.start({ thing: 'torn-gateway', rawConfig: '{"thing":"torn-gat', backupConfig: true, via: 'gateway' });
  await waitForLine(env, /config: config\.json unreadable, using config\.bak/, 5000);
  await waitForLine(env, /mqtt: connected .* as torn-gateway/, 15000);
  await demo.press('single');
  const got = await demo.waitForEvents(1, 10000);
  expect(JSON.parse(got[0].payload)).toMatchObject({ thing: 'torn-gateway', clickType: 'SINGLE' });
}, 30000);
