// The gateway's per-packet rules as pure functions: own topics only, no QoS 2, tags checked and
// stripped (except the plain-text availability status), and the same rules for a CONNECT's Will.
import { tagEvent } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { needsTag } from '../../tools/gateway/auth';
import { ownsTopic } from '../../firmware/core/wire-contract';
import { decidePublish, decideWill } from '../../tools/gateway/publish-policy';

const secret = 'ab'.repeat(32);
const b = (s: string) => Buffer.from(s, 'latin1');
const t1 = { thing: 't1', secret, topicPrefix: 'devices' };

describe('ownsTopic (the wire contract, as the gateway applies it)', () => {
  test.each([
    ['devices/t1/events/button', true],
    ['devices/t1/#', true],
    ['$aws/things/t1/shadow/update', true],
    ['$aws/things/t1/shadow/#', true],
    ['devices/t2/events/button', false],
    ['devices/t1', false],
    ['devices/t10/x', false],
    ['devices/+/events', false],
    ['#', false],
    ['$aws/things/+/shadow/update', false],
    ['other/t1/x', false],
  ])('%s for t1 is %s', (topic, ok) => expect(ownsTopic('devices', 't1', topic)).toBe(ok));
  test.each([
    ['plant-7/b/t1/events/button', true],
    ['devices/t1/events/button', false],
    ['plant-7/b/t2/x', false],
    ['$aws/things/t1/shadow/get', true],
  ])('with prefix plant-7/b, %s for t1 is %s', (topic, ok) => expect(ownsTopic('plant-7/b', 't1', topic)).toBe(ok));
});

describe('needsTag', () => {
  test('only the plain "online"/"offline" status goes untagged', () => {
    expect(needsTag('devices', 't1', 'devices/t1/status', b('online'))).toBe(false);
    expect(needsTag('devices', 't1', 'devices/t1/status', b('offline'))).toBe(false);
    expect(needsTag('devices', 't1', 'devices/t1/status', b('{"x":1}'))).toBe(true);
    expect(needsTag('devices', 't1', 'devices/t1/events/button', b('online'))).toBe(true);
  });
});

describe('decidePublish', () => {
  const topic = 'devices/t1/events/button';
  test('forwards a well-tagged event without its tag', () => {
    expect(decidePublish(t1, { topic, payload: b(tagEvent(topic, '{"seq":1}', secret, sha1)), qos: 1 })).toEqual({ action: 'forward', payload: b('{"seq":1}') });
  });
  test('drops a tampered or untagged event', () => {
    expect(decidePublish(t1, { topic, payload: b(tagEvent(topic, '{"seq":1}', secret, sha1).replace('1', '2')), qos: 1 }).action).toBe('drop');
    expect(decidePublish(t1, { topic, payload: b('{"seq":1}'), qos: 1 })).toEqual({ action: 'drop', reason: 'no tag' });
  });
  test('refuses QoS 2 and foreign topics before looking at the tag', () => {
    expect(decidePublish(t1, { topic, payload: b('{}'), qos: 2 }).action).toBe('refuse');
    expect(decidePublish(t1, { topic: 'devices/t2/events/button', payload: b('{}'), qos: 1 })).toEqual({ action: 'refuse', reason: 'not its own topic' });
  });
  test('a device provisioned with another prefix publishes under it, and only under it', () => {
    const other = { ...t1, topicPrefix: 'plant-7' };
    const own = 'plant-7/t1/events/button';
    expect(decidePublish(other, { topic: own, payload: b(tagEvent(own, '{"seq":1}', secret, sha1)), qos: 1 }).action).toBe('forward');
    expect(decidePublish(other, { topic, payload: b(tagEvent(topic, '{"seq":1}', secret, sha1)), qos: 1 })).toEqual({ action: 'refuse', reason: 'not its own topic' });
    expect(decideWill(other, { topic: 'plant-7/t1/status', payload: b('offline'), qos: 1, retain: true }).will?.payload).toEqual(b('offline'));
  });
});

describe('decideWill', () => {
  test('no Will is fine; the plain status Will passes as it is', () => {
    expect(decideWill(t1, undefined)).toEqual({});
    expect(decideWill(t1, { topic: 'devices/t1/status', payload: b('offline'), qos: 1, retain: true })).toEqual({
      will: { topic: 'devices/t1/status', payload: b('offline'), qos: 1, retain: true },
    });
  });
  test('a tagged Will is stripped; a foreign or forged one is refused with the reason', () => {
    const topic = 'devices/t1/lastwords';
    expect(decideWill(t1, { topic, payload: tagEvent(topic, '{"a":1}', secret, sha1), qos: 0 }).will?.payload).toEqual(b('{"a":1}'));
    expect(decideWill(t1, { topic: 'devices/t2/status', payload: b('offline'), qos: 1 }).reason).toBe('Will on devices/t2/status: not its own topic');
    expect(decideWill(t1, { topic, payload: b('{"a":1}'), qos: 1 }).reason).toBe(`Will on ${topic}: no tag`);
  });
});
