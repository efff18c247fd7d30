// The one definition of the AWS IoT Button's message for a press: which gestures are presses and
// what clickType each becomes, the battery value, the topic, and the AWS IoT rule SQL made from
// them. The gateway, the AWS-like broker's rule emulation and aws-setup's rule all use it. Pure.
import type { ClickType } from '../../firmware/core/gestures';
import { Topic } from '../../firmware/core/wire-contract';

export type IotButtonClickType = 'SINGLE' | 'DOUBLE' | 'LONG';

/**
 * Each gesture the firmware reports, as the AWS IoT Button's clickType; null: not a press (a
 * MAINTENANCE hold opens the LAN console, and Lambdas for the button must not act on it).
 * A Record over ClickType: a new gesture does not compile until it is mapped here.
 */
export const IOT_BUTTON_CLICK_TYPES: Readonly<Record<ClickType, IotButtonClickType | null>> = {
  SINGLE: 'SINGLE',
  DOUBLE: 'DOUBLE',
  LONG: 'LONG',
  MAINTENANCE: null,
};

/** A NodeMCU runs on USB power; the AWS IoT Button reported its cell as e.g. "1567mV". */
export const USB_VOLTAGE = '5000mV';

export const IOT_BUTTON_ROOT = 'iotbutton/';

export function iotButtonTopic(thing: string): string {
  return IOT_BUTTON_ROOT + thing;
}

export interface IotButtonMessage {
  serialNumber: string;
  batteryVoltage: string;
  clickType: IotButtonClickType;
}

/** The mapped clickType of an event's clickType field, or undefined when it is no press. */
function mapClickType(value: unknown): IotButtonClickType | undefined {
  if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(IOT_BUTTON_CLICK_TYPES, value)) return undefined;
  return IOT_BUTTON_CLICK_TYPES[value as ClickType] ?? undefined;
}

/** Levels in the prefix: the thing is the next one, `topic(levels + 1)` in AWS IoT SQL. */
function thingIndex(prefix: string): number {
  return prefix.split('/').length + 1;
}

/**
 * The iotbutton copy of a message on `<prefix>/<thing>/events/button`, or undefined when the topic
 * is not one or the payload is no press: what the rule of iotButtonRuleSql() makes of it.
 */
export function iotButtonCopy(prefix: string, topic: string, payload: Buffer | Uint8Array | string): { topic: string; payload: Buffer; thing: string } | undefined {
  const levels = topic.split('/');
  const n = thingIndex(prefix);
  if (levels.length !== n + 2 || !topic.startsWith(prefix + '/') || !topic.endsWith('/' + Topic.Event)) return undefined;
  const thing = levels[n - 1];
  if (!thing) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  const clickType = mapClickType(event && typeof event === 'object' ? (event as { clickType?: unknown }).clickType : undefined);
  if (!clickType) return undefined;
  const message: IotButtonMessage = { serialNumber: thing, batteryVoltage: USB_VOLTAGE, clickType };
  return { topic: iotButtonTopic(thing), payload: Buffer.from(JSON.stringify(message)), thing };
}

/** A prefix the rule's SQL can quote: AWS IoT SQL string literals are single-quoted. */
export function ruleSqlPrefixProblem(prefix: string): string {
  return /['\\]/.test(prefix) ? "contains ' or \\, which an AWS IoT rule's FROM clause cannot quote" : '';
}

/**
 * The AWS IoT rule SQL (version 2016-03-23) that turns each press on `<prefix>/+/events/button`
 * into the AWS IoT Button's message. The serial number is the thing's topic level, which its
 * policy guarantees (a payload's `thing` is only what the device says). Built from the mapping
 * above, so the rule and the code that emulates it cannot disagree.
 */
export function iotButtonRuleSql(prefix: string): string {
  if (ruleSqlPrefixProblem(prefix)) throw new Error(`topic prefix ${prefix} ${ruleSqlPrefixProblem(prefix)}`);
  const presses = Object.entries(IOT_BUTTON_CLICK_TYPES).filter((e): e is [string, IotButtonClickType] => e[1] !== null);
  const cases = presses.map(([from, to]) => `WHEN '${from}' THEN '${to}'`).join(' ');
  const where = presses.map(([from]) => `clickType = '${from}'`).join(' OR ');
  return `SELECT topic(${thingIndex(prefix)}) AS serialNumber, '${USB_VOLTAGE}' AS batteryVoltage, CASE clickType ${cases} END AS clickType FROM '${prefix}/+/${Topic.Event}' WHERE ${where}`;
}

/** The republish action's topic: a substitution template naming the same topic level. */
export function iotButtonRuleTopic(prefix: string): string {
  return `${IOT_BUTTON_ROOT}\${topic(${thingIndex(prefix)})}`;
}
