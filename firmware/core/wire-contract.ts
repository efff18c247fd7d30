// The wire contract: every topic the button uses, its status payloads, the button event's JSON and
// the topic-prefix rule, for the firmware and every host tool that reads or polices that traffic.
// Device-safe: the firmware uses only the const enums and types (inlined, no bundle bytes, no RAM);
// the functions are host helpers the bundle never calls, so esbuild drops them.
import type { ClickType } from './gestures';

/** Topics are `<prefix>/<thing>/<suffix>`; config mqtt.topicPrefix (and provision --topic-prefix) sets the prefix. */
export const enum Topic {
  DefaultPrefix = 'devices',
  /** One QoS 1 message per press, the payload a ButtonEvent (with a `tag` in gateway mode, stripped by the gateway). */
  Event = 'events/button',
  /** Retained availability: Status.Online once connected, the Will says Status.Offline. */
  Status = 'status',
  /** Firmware updates to the device (subscribed at every CONNACK): a JSON begin, or `c<offset>:<bytes>` (docs/ota.md). */
  OtaIn = 'ota/in',
  /** The device's answers to an update, and its verdict after the restart (JSON). */
  OtaOut = 'ota/out',
}

/** The two payloads of the status topic: plain words, not JSON, and never tagged. */
export const enum Status {
  Online = 'online',
  Offline = 'offline',
}

/** A press as the cloud receives it (JSON). */
export interface ButtonEvent {
  thing: string;
  /** Per device, from 0, counted in flash: gaps mean lost presses, repeats mean redelivery. */
  seq: number;
  clickType: ClickType;
  /** Epoch ms on the device at the press, or null while its clock is unset (no SNTP yet). */
  ts: number | null;
  /** Seconds since boot at the press. */
  uptime: number;
  /** Firmware version (package.json). */
  fw: string;
}

/** A message as a cloud-side watcher collects it. */
export interface CloudMessage {
  topic: string;
  payload: string;
}

/** Where AWS keeps a thing's shadow; the policy and the gateway let a thing use its own. */
export function shadowRoot(thing: string): string {
  return `$aws/things/${thing}/`;
}

/** `<prefix>/<thing>/`: everything a thing publishes starts so. */
export function thingRoot(prefix: string, thing: string): string {
  return `${prefix}/${thing}/`;
}

export function eventTopic(prefix: string, thing: string): string {
  return thingRoot(prefix, thing) + Topic.Event;
}

export function statusTopic(prefix: string, thing: string): string {
  return thingRoot(prefix, thing) + Topic.Status;
}

/** Every thing's events (and status) under a prefix: what the cloud side subscribes to. */
export function eventFilter(prefix: string): string {
  return `${prefix}/+/${Topic.Event}`;
}

export function statusFilter(prefix: string): string {
  return `${prefix}/+/${Topic.Status}`;
}

export function isEventTopic(topic: string): boolean {
  return topic.endsWith('/' + Topic.Event);
}

/** The thing named in an event topic, whatever its prefix (the segment before `events/button`). */
export function thingFromEventTopic(topic: string): string | undefined {
  if (!isEventTopic(topic)) return undefined;
  const parts = topic.split('/');
  return parts.length >= 3 ? parts[parts.length - 3] : undefined;
}

/**
 * What an AWS IoT policy keyed on the thing name allows a thing, and so what the gateway and the
 * AWS-like broker allow: its own `<prefix>/<thing>/` topics and its own shadow.
 */
export function ownsTopic(prefix: string, thing: string, topic: string): boolean {
  return topic.startsWith(thingRoot(prefix, thing)) || topic.startsWith(shadowRoot(thing));
}

/**
 * The prefix rule: 1..64 characters, no MQTT wildcard (a PUBLISH topic may hold none
 * [MQTT-3.3.2-2]) and no `/` at either end (that would make an empty topic level). config/rules.ts
 * takes its lengths from here; the device's validator checks the same (kind `t`).
 */
export const enum TopicPrefix {
  MinLength = 1,
  MaxLength = 64,
}

export const TOPIC_PREFIX_RULE = 'must be 1..64 characters with no + or # and no / at either end';

export function topicPrefixProblem(prefix: unknown): string {
  return typeof prefix === 'string' && prefix.length >= TopicPrefix.MinLength && prefix.length <= TopicPrefix.MaxLength && !/[+#]/.test(prefix) && !prefix.startsWith('/') && !prefix.endsWith('/')
    ? ''
    : TOPIC_PREFIX_RULE;
}
