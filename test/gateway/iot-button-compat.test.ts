// AWS IoT Button messages for gateway things: with --iot-button-compat the gateway publishes each
// acknowledged press also on iotbutton/<thing>, as the thing. Where the thing's policy forbids that
// topic (AWS, and the AWS-like broker, close the connection), the copies stop for that thing after
// the first refusal, said once, and no press is lost or doubled on the main topic. With the AWS IoT
// rule (emulated by the AWS-like broker) every press gets exactly one copy, gateway or not.
import { createFixture, createTestDevice, type Fixture } from './support/gateway-fixture';
import { USB_VOLTAGE } from '../../tools/shared/iot-button-shape';
import { leastPrivilegePolicy } from '../../tools/aws-setup/policy';

const THING = 'gw-compat-1';
const topic = `devices/${THING}/events/button`;
const event = (seq: number, clickType = 'SINGLE') => JSON.stringify({ thing: THING, seq, clickType, ts: null, uptime: 5, fw: '0.1.0' });
const settle = () => new Promise((r) => setTimeout(r, 400));
const copies = (fx: Fixture) => fx.seen.filter((m) => m.topic === `iotbutton/${THING}`);
const events = (fx: Fixture) => fx.seen.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload).seq as number);

describe('the thing may publish iotbutton/<thing> (aws-setup --iot-button-compat gateway)', () => {
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
    for (const [seq, clickType] of [[1, 'SINGLE'], [2, 'DOUBLE'], [3, 'LONG']] as const) {
      await dev.publishAsync(topic, fx.tag(THING, topic, event(seq, clickType)), { qos: 1 });
      const m = await fx.waitSeen((x) => x.topic === `iotbutton/${THING}` && x.payload.includes(clickType));
      expect(JSON.parse(m.payload)).toEqual({ serialNumber: THING, batteryVoltage: USB_VOLTAGE, clickType });
      const order = fx.seen.map((x) => x.topic);
      expect(order.lastIndexOf(topic)).toBeLessThan(order.lastIndexOf(`iotbutton/${THING}`));
    }
    // A MAINTENANCE hold is no press: the event goes up, no copy.
    await dev.publishAsync(topic, fx.tag(THING, topic, event(4, 'MAINTENANCE')), { qos: 1 });
    await fx.waitSeen((x) => x.topic === topic && x.payload.includes('"seq":4'));
    await settle();
    expect(copies(fx)).toHaveLength(3);
    await dev.endAsync();
  }, 30000);
});

describe("the thing's policy forbids iotbutton/<thing> (AWS closes the connection on the copy)", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture([THING]);
    await fx.startGateway(0, { iotButtonCompat: true });
  }, 30000);
  afterAll(async () => {
    await fx?.close();
  });

  test('the copies stop for that thing after the first refusal, said once; every press arrives once on the main topic', async () => {
    const dev = createTestDevice(fx, THING, () => fx.gateway.port);
    try {
      for (let seq = 1; seq <= 4; seq++) {
        dev.press(event(seq));
        await dev.drained();
        await fx.waitSeen((m) => m.topic === topic && m.payload.includes(`"seq":${seq}`));
      }
      await settle();
      expect(events(fx)).toEqual([1, 2, 3, 4]);
      expect(copies(fx)).toEqual([]);
      // The broker refused exactly one copy; the device was dropped once, then stayed connected.
      expect(fx.brokerLogs.filter((l) => l.startsWith(`drop ${THING}: publish to iotbutton/${THING} not allowed`))).toHaveLength(1);
      expect(dev.connects).toBe(2);
      const said = fx.logs.filter((l) => l.includes('stops the copies'));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(`AWS closed ${THING}'s connection on its AWS IoT Button copy`);
      expect(said[0]).toMatch(/drop --iot-button-compat from the gateway; otherwise run aws-setup --thing gw-compat-1 --iot-button-compat gateway/);
    } finally {
      await dev.stop();
    }
  }, 60000);
});

describe('the AWS IoT rule (aws-setup --iot-button-compat) makes the copies', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture([THING], { iotButtonRule: true });
  }, 30000);
  afterAll(async () => {
    await fx?.close();
  });

  test('a gateway thing gets exactly one copy per press from the rule, with or without the gateway option', async () => {
    for (const compat of [false, true]) {
      await fx.gateway.close();
      await fx.startGateway(0, { iotButtonCompat: compat });
      const before = { copies: copies(fx).length, events: events(fx).length };
      const dev = createTestDevice(fx, THING, () => fx.gateway.port);
      try {
        for (let i = 1; i <= 3; i++) {
          const seq = (compat ? 10 : 0) + i;
          dev.press(event(seq, 'DOUBLE'));
          await dev.drained();
          await fx.waitSeen((m) => m.topic === topic && m.payload.includes(`"seq":${seq}`));
          await settle();
          expect(copies(fx).length - before.copies).toBe(i);
        }
        expect(events(fx).length - before.events).toBe(3);
        for (const m of copies(fx)) expect(JSON.parse(m.payload)).toEqual({ serialNumber: THING, batteryVoltage: USB_VOLTAGE, clickType: 'DOUBLE' });
      } finally {
        await dev.stop();
      }
    }
    // With the option on, the gateway's own copy was refused once (the policy has no iotbutton/ with the rule) and stopped.
    expect(fx.logs.filter((l) => l.includes('stops the copies'))).toHaveLength(1);
  }, 60000);
});

test('aws-setup --iot-button-compat gateway lets the thing publish on iotbutton/<its own name> and nothing more', () => {
  const scope = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
  const plain = leastPrivilegePolicy(scope);
  const compat = leastPrivilegePolicy(scope, undefined, { iotButton: true });
  expect(compat.Statement.length).toBe(plain.Statement.length + 1);
  expect(compat.Statement).toContainEqual({ Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:eu-west-1:123456789012:topic/iotbutton/${iot:Connection.Thing.ThingName}' });
});
