// Revoking a device and rotating its secret: `gateway revoke THING` closes its live session and
// refuses its CONNECTs from then on; a new secret (provision --rotate-secret writes it with
// addDevice once the board has verified it) closes a session made with the old one and leaves only
// the new one working; revoking an unknown thing is one sentence and changes nothing.
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectPassword } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { addDevice } from '../../tools/gateway/device-store';
import { revokeCommand } from '../../tools/gateway/command';
import { deviceSecretFor } from '../../tools/provision/gateway-enrolment';
import { isUserError } from '../../tools/shared/errors';
import { createFixture, type Fixture } from './support/gateway-fixture';

const LOST = 'gw-rev-1';
const ROT = 'gw-rev-2';
const KEEP = 'gw-rev-3';
let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture([LOST, ROT, KEEP]);
});
afterAll(async () => {
  await fx?.close();
});

const closed = (c: mqtt.MqttClient) => new Promise<void>((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));
async function refusal(thing: string, secret: string, counter: number): Promise<number | undefined> {
  const opts = fx.deviceOptions(thing, counter, { reconnectPeriod: 0 });
  opts.password = connectPassword(thing, secret, counter, sha1);
  const c = mqtt.connect(`mqtt://127.0.0.1:${fx.gateway.port}`, opts);
  const r = await new Promise<number | undefined>((res) => {
    c.once('connect', () => res(undefined));
    c.once('error', (e: Error & { code?: number }) => res(e.code));
  });
  c.end(true);
  return r;
}

test('revoke closes the live session, refuses every CONNECT after, and leaves other devices alone', async () => {
  const lost = await fx.connectDevice(LOST, 10);
  const keep = await fx.connectDevice(KEEP, 10);
  const lines: string[] = [];
  await revokeCommand(LOST, { store: fx.storeDir }, (l) => lines.push(l));
  expect(lines[0]).toMatch(new RegExp(`^${LOST} revoked: its secret is erased`));
  await closed(lost);
  expect(fx.logs.some((l) => l === `closing ${LOST}: revoked`)).toBe(true);
  // Even the right secret with a fresh counter is refused now (CONNACK 5, not authorized).
  expect(await refusal(LOST, fx.secrets[LOST], 11)).toBe(5);
  expect(fx.logs.some((l) => l.startsWith(`refused ${LOST}`) && l.includes('revoked'))).toBe(true);
  expect(keep.connected).toBe(true);
  await keep.endAsync();
  // Again: said, not an error.
  await revokeCommand(LOST, { store: fx.storeDir }, (l) => lines.push(l));
  expect(lines[1]).toMatch(/already revoked/);
  // Provisioning it again gives it a new secret, never the revoked one.
  expect(deviceSecretFor(fx.storeDir, LOST).isNew).toBe(true);
}, 20000);

test('a rotated secret: the session on the old one is closed, only the new one connects', async () => {
  const old = fx.secrets[ROT];
  const c = await fx.connectDevice(ROT, 20);
  const fresh = deviceSecretFor(fx.storeDir, ROT, true);
  expect(fresh.isNew).toBe(true);
  expect(fresh.secret).not.toBe(old);
  // What provision's enrolment does once the board has verified its new config.json.
  addDevice(fx.storeDir, { thing: ROT, secret: fresh.secret, certDir: join('certs', ROT) });
  await closed(c);
  expect(fx.logs.some((l) => l === `closing ${ROT}: its secret was rotated`)).toBe(true);
  expect(await refusal(ROT, old, 21)).toBe(4);
  const back = await (async () => {
    const opts = fx.deviceOptions(ROT, 1, { reconnectPeriod: 0 });
    opts.password = connectPassword(ROT, fresh.secret, 1, sha1);
    const n = mqtt.connect(`mqtt://127.0.0.1:${fx.gateway.port}`, opts);
    await new Promise((res, rej) => (n.once('connect', res), n.once('error', rej)));
    return n;
  })();
  expect(back.connected).toBe(true);
  await back.endAsync();
}, 20000);

test('bad input: revoking a thing the store does not know is one sentence and changes nothing', async () => {
  const before = readFileSync(join(fx.storeDir, 'devices.json'), 'utf8');
  let err: unknown;
  await revokeCommand('no-such-thing', { store: fx.storeDir }, () => {}).catch((e: unknown) => (err = e));
  expect(isUserError(err) && err.anchor).toBe('gateway-unknown-thing');
  expect((err as Error).message).toMatch(/"no-such-thing" is not a device of the gateway store .* \(it has gw-rev-1, gw-rev-2, gw-rev-3\)/);
  expect(readFileSync(join(fx.storeDir, 'devices.json'), 'utf8')).toBe(before);
});
