// AWS IoT Button messages for a board that connects to AWS IoT itself with TLS: the exact bundle on
// a virtual NodeMCU (ESP32 profile, direct TLS) presses; the AWS-like broker emulates the rule
// aws-setup --iot-button-compat creates; an aws-iot-device-sdk-v2 client (the demo's cloud watcher)
// and an MQTT.js client subscribed to iotbutton/<thing> see each press once, in the button's shape.
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { createE2eEnv, settled, type E2eEnv } from './e2e-fixture';
import { USB_VOLTAGE } from '../../tools/shared/iot-button-shape';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
}, 60000);
afterAll(() => env.cleanup());

test('a direct-TLS press arrives on iotbutton/<thing> as {serialNumber, batteryVoltage, clickType}, once per press', async () => {
  const demo = await env.start({ thing: 'tls-button' });
  expect(demo.via).toBe('direct');
  const observer = demo.pki.client('monitor');
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${demo.brokerPort}`, { clientId: 'monitor', cert: observer.cert, key: observer.key, ca: readFileSync(demo.pki.caPath), protocolVersion: 4, reconnectPeriod: 0 });
  const seen: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  try {
    await client.subscribeAsync('iotbutton/#', { qos: 1 });
    await settled(env, demo);
    await demo.press('single');
    await demo.waitForEvents(1, 10000);
    await demo.press('double');
    await demo.waitForEvents(2, 10000);
    await demo.press('long');
    await demo.waitForEvents(3, 10000);
    const sdkSeen = () => demo.messages.filter((m) => m.topic === 'iotbutton/tls-button');
    for (let i = 0; i < 100 && (sdkSeen().length < 3 || seen.length < 3); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const shape = (clickType: string) => ({ serialNumber: 'tls-button', batteryVoltage: USB_VOLTAGE, clickType });
    const want = ['SINGLE', 'DOUBLE', 'LONG'].map(shape);
    expect(sdkSeen().map((m) => JSON.parse(m.payload))).toEqual(want);
    expect(seen.map((m) => m.topic)).toEqual(['iotbutton/tls-button', 'iotbutton/tls-button', 'iotbutton/tls-button']);
    expect(seen.map((m) => JSON.parse(m.payload))).toEqual(want);
  } finally {
    await client.endAsync(true);
  }
}, 60000);
