// AWS IoT Button compatibility without device bytes: with --iot-button-compat the gateway publishes
// each press also as {"serialNumber","batteryVoltage","clickType"} on iotbutton/<thing>, as the
// thing (whose policy aws-setup --iot-button-compat widens to exactly that topic).
import { createFixture, type Fixture } from './support/gateway-fixture';
import { iotButtonMessage, USB_VOLTAGE } from '../../tools/gateway/iot-button-compat';
import { leastPrivilegePolicy } from '../../tools/aws-setup/policy';

const THING = 'gw-compat-1';
let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture([THING], { iotButton: true });
  await fx.startGateway(0, { iotButtonCompat: true });
}, 30000);
afterAll(async () => {
  await fx?.close();
});

test('each press also arrives on iotbutton/<thing> in the AWS IoT Button shape, after the event itself', async () => {
  const dev = await fx.connectDevice(THING);
  const topic = `devices/${THING}/events/button`;
  for (const [seq, clickType] of [[1, 'SINGLE'], [2, 'DOUBLE'], [3, 'LONG']] as const) {
    const payload = JSON.stringify({ thing: THING, seq, clickType, ts: null, uptime: 5, fw: '0.1.0' });
    await dev.publishAsync(topic, fx.tag(THING, topic, payload), { qos: 1 });
    const m = await fx.waitSeen((x) => x.topic === `iotbutton/${THING}` && x.payload.includes(clickType));
    expect(JSON.parse(m.payload)).toEqual({ serialNumber: THING, batteryVoltage: USB_VOLTAGE, clickType });
    const order = fx.seen.map((x) => x.topic);
    expect(order.lastIndexOf(topic)).toBeLessThan(order.lastIndexOf(`iotbutton/${THING}`));
  }
  await dev.endAsync();
}, 30000);

test('only presses: status messages, other topics and unreadable events get no iotbutton message', () => {
  const p = (o: unknown) => Buffer.from(JSON.stringify(o));
  expect(iotButtonMessage(THING, `devices/${THING}/status`, p({ state: 'online' }))).toBeUndefined();
  expect(iotButtonMessage(THING, `devices/${THING}/events/button`, Buffer.from('not json'))).toBeUndefined();
  expect(iotButtonMessage(THING, `devices/${THING}/events/button`, p({ clickType: 'TRIPLE' }))).toBeUndefined();
  expect(iotButtonMessage(THING, `devices/other/events/button`, p({ clickType: 'SINGLE' }))).toBeUndefined();
});

test("aws-setup --iot-button-compat lets the thing publish on iotbutton/<its own name> and nothing more", () => {
  const scope = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
  const plain = leastPrivilegePolicy(scope);
  const compat = leastPrivilegePolicy(scope, undefined, { iotButton: true });
  expect(compat.Statement.length).toBe(plain.Statement.length + 1);
  expect(compat.Statement).toContainEqual({ Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:eu-west-1:123456789012:topic/iotbutton/${iot:Connection.Thing.ThingName}' });
});

