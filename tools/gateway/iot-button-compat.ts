// The AWS IoT Button's message for a button event, so Lambdas written for that button run
// unchanged: {"serialNumber","batteryVoltage","clickType"} on iotbutton/<serialNumber>, which the
// gateway publishes upstream as the thing after each event AWS acknowledged. Pure: no I/O.

/** A NodeMCU runs on USB power; the AWS IoT Button reported its cell as e.g. "1567mV". */
export const USB_VOLTAGE = '5000mV';
const CLICK_TYPES = new Set(['SINGLE', 'DOUBLE', 'LONG']);

/** The iotbutton/<thing> message for an event the thing published, or undefined if it is no press. */
export function iotButtonMessage(thing: string, topic: string, payload: Buffer): { topic: string; payload: Buffer } | undefined {
  if (!topic.endsWith(`/${thing}/events/button`)) return undefined;
  let event: { clickType?: unknown };
  try {
    event = JSON.parse(payload.toString('utf8')) as typeof event;
  } catch {
    return undefined;
  }
  const clickType = typeof event?.clickType === 'string' ? event.clickType.toUpperCase() : '';
  if (!CLICK_TYPES.has(clickType)) return undefined;
  return { topic: `iotbutton/${thing}`, payload: Buffer.from(JSON.stringify({ serialNumber: thing, batteryVoltage: USB_VOLTAGE, clickType })) };
}
