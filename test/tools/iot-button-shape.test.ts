// One truth for the AWS IoT Button's message: the gesture -> clickType mapping and the battery
// value in tools/shared/iot-button-shape.ts make both the copy the gateway and the AWS-like broker
// publish and the SQL of the AWS IoT rule aws-setup creates. The SQL is pinned here, so a change to
// the mapping shows up as a change to the rule every user's account holds.
import { IOT_BUTTON_CLICK_TYPES, iotButtonCopy, iotButtonRuleSql, iotButtonRuleTopic, USB_VOLTAGE } from '../../tools/shared/iot-button-shape';
import { iotButtonRuleName } from '../../tools/aws-setup/iot-button-rule';

const p = (o: unknown) => Buffer.from(JSON.stringify(o));

test('the rule SQL for the default prefix, exactly', () => {
  expect(iotButtonRuleSql('devices')).toBe(
    "SELECT topic(2) AS serialNumber, '5000mV' AS batteryVoltage, CASE clickType WHEN 'SINGLE' THEN 'SINGLE' WHEN 'DOUBLE' THEN 'DOUBLE' WHEN 'LONG' THEN 'LONG' END AS clickType " +
      "FROM 'devices/+/events/button' WHERE clickType = 'SINGLE' OR clickType = 'DOUBLE' OR clickType = 'LONG'",
  );
  expect(iotButtonRuleTopic('devices')).toBe('iotbutton/${topic(2)}');
  expect(iotButtonRuleName('devices')).toBe('iotbutton_compat_devices');
});

test('a prefix of several levels moves the thing to a later topic() level, in the SQL and in the republish topic', () => {
  expect(iotButtonRuleSql('plant-7/buttons')).toMatch(/^SELECT topic\(3\) AS serialNumber, .* FROM 'plant-7\/buttons\/\+\/events\/button' WHERE /);
  expect(iotButtonRuleTopic('plant-7/buttons')).toBe('iotbutton/${topic(3)}');
  // Rule names allow [A-Za-z0-9_] only; a hash keeps 'a/b' and 'a_b' apart.
  expect(iotButtonRuleName('plant-7/buttons')).toMatch(/^iotbutton_compat_plant_7_buttons_[0-9a-f]{8}$/);
  expect(iotButtonRuleName('a/b')).not.toBe(iotButtonRuleName('a_b'));
  expect(() => iotButtonRuleSql("it's")).toThrow(/cannot quote/);
});

test('every press the SQL keeps is one the copy function maps, to the same clickType, and nothing else', () => {
  const sql = iotButtonRuleSql('devices');
  for (const [gesture, clickType] of Object.entries(IOT_BUTTON_CLICK_TYPES)) {
    const copy = iotButtonCopy('devices', 'devices/b-1/events/button', p({ thing: 'b-1', seq: 1, clickType: gesture }));
    if (clickType === null) {
      expect(copy).toBeUndefined();
      expect(sql).not.toContain(`'${gesture}'`);
    } else {
      expect(JSON.parse(copy!.payload.toString())).toEqual({ serialNumber: 'b-1', batteryVoltage: USB_VOLTAGE, clickType });
      expect(copy!.topic).toBe('iotbutton/b-1');
      expect(sql).toContain(`WHEN '${gesture}' THEN '${clickType}'`);
      expect(sql).toContain(`clickType = '${gesture}'`);
    }
  }
  expect(sql).toContain(`'${USB_VOLTAGE}' AS batteryVoltage`);
});

test('only presses on <prefix>/<thing>/events/button get a copy', () => {
  const press = p({ clickType: 'SINGLE' });
  expect(iotButtonCopy('devices', 'devices/b-1/status', p({ clickType: 'SINGLE' }))).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/b-1/events/button', Buffer.from('not json'))).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/b-1/events/button', p({ clickType: 'TRIPLE' }))).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/b-1/events/button', p({ clickType: 'single' }))).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/b-1/events/button', p({ clickType: 1 }))).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/b-1/events/button', p(null))).toBeUndefined();
  expect(iotButtonCopy('devices', 'other/b-1/events/button', press)).toBeUndefined();
  expect(iotButtonCopy('devices', 'devices/x/b-1/events/button', press)).toBeUndefined();
  expect(iotButtonCopy('plant/a', 'plant/a/b-1/events/button', press)?.topic).toBe('iotbutton/b-1');
});
