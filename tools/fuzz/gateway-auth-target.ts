// Fuzz target: the host-side parsers we wrote for the LAN gateway (tools/gateway/auth.ts and
// publish-policy.ts): CONNECT passwords, event tags, and the publish decision built on them. Valid
// inputs come from the firmware's own functions (firmware/core/gateway-auth.ts), so device and
// gateway are checked against each other. Nothing may throw; a valid input must pass; any change
// to a valid input, a replay, another thing's topic or random bytes must be refused.
import { sha1 } from '../shared/sha1';
import { connectPassword, tagEvent } from '../../firmware/core/gateway-auth';
import { verifyConnect, verifyTag } from '../gateway/auth';
import { eventTopic as contractEventTopic, ownsTopic, Topic } from '../../firmware/core/wire-contract';
import { decidePublish } from '../gateway/publish-policy';
import { mutate, randomBytes } from './mutate';
import { createRng, type Rng } from './rng';
import type { CaseResult } from './device-target';

/** The device's hash, as bytes in and out (one char per byte). */

const THING_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-';

function thingName(r: Rng): string {
  let s = '';
  for (let i = r.range(1, 24); i > 0; i--) s += THING_CHARS[r.int(THING_CHARS.length)];
  return s;
}

function secret(r: Rng): string {
  return r.bytes(32).toString('hex');
}

/** A JSON object's text as the firmware builds events (no newlines), sometimes with odd bytes. */
function payload(r: Rng): string {
  const o: Record<string, unknown> = { seq: r.int(1e6), clickType: r.pick(['SINGLE', 'DOUBLE', 'LONG']) };
  if (r.chance(0.5)) o.note = randomBytes(r, r.int(12)).replace(/[\n\r]/g, ' ');
  if (r.chance(0.1)) return '{}';
  return JSON.stringify(o);
}

function eventTopic(r: Rng, thing: string): string {
  return r.chance(0.8) ? contractEventTopic(Topic.DefaultPrefix, thing) : `$aws/things/${thing}/shadow/update`;
}

export function gatewayAuthCase(seed: number): CaseResult {
  const r = createRng(seed);
  const thing = thingName(r);
  const key = secret(r);
  const roll = r.int(100);
  let kind = '';
  let input = '';
  const fail = (problem: string): CaseResult => ({ ok: false, kind, problem, chunks: [input] });
  try {
    if (roll < 45) {
      // CONNECT passwords
      const counter = r.chance(0.05) ? r.pick([1, 9, 10, 999999999999999]) : r.range(1, 1e9);
      const highest = r.chance(0.2) ? counter + r.int(3) : r.int(counter);
      const good = connectPassword(thing, key, counter, sha1);
      const sub = r.int(5);
      if (sub === 0) {
        kind = 'connect-valid';
        input = good;
        const v = verifyConnect(thing, key, highest, { clientId: thing, username: thing, password: r.chance(0.5) ? good : Buffer.from(good, 'latin1') });
        if (counter > highest && !(v.ok && v.value === counter)) return fail(`a valid password was refused: ${JSON.stringify(v)}`);
        if (counter <= highest && (v.ok || !/replayed/.test(v.reason))) return fail(`a replay was not refused as one: ${JSON.stringify(v)}`);
      } else if (sub <= 2) {
        kind = 'connect-mutated';
        input = mutate(r, good, r.range(1, 3));
        const v = verifyConnect(thing, key, 0, { clientId: thing, username: thing, password: input });
        if (v.ok && input !== good) return fail('a changed password was accepted');
      } else if (sub === 3) {
        kind = 'connect-identity';
        input = good;
        const other = r.chance(0.5) ? thingName(r) + 'x' : '';
        const v = verifyConnect(thing, key, 0, r.chance(0.5) ? { clientId: other, username: thing, password: good } : { clientId: thing, username: other || undefined!, password: good });
        if (v.ok) return fail(`accepted with client id or username ${JSON.stringify(other)}`);
        const w = verifyConnect(thing, secret(r), 0, { clientId: thing, username: thing, password: good });
        if (w.ok) return fail('accepted under another secret');
      } else {
        kind = 'connect-random';
        input = r.chance(0.5) ? randomBytes(r, r.int(120)) : `v1:${r.int(1e16)}:${randomBytes(r, r.int(50))}`;
        const pw = r.pick([input, Buffer.from(input, 'latin1'), undefined]);
        const v = verifyConnect(thing, key, 0, { clientId: randomBytes(r, r.int(10)), username: r.chance(0.5) ? thing : randomBytes(r, 5), password: pw });
        if (v.ok) return fail('random bytes were accepted as a password');
      }
    } else if (roll < 90) {
      // Event tags
      const topic = eventTopic(r, thing);
      const original = payload(r);
      const tagged = tagEvent(topic, original, key, sha1);
      const sub = r.int(4);
      if (sub === 0) {
        kind = 'tag-valid';
        input = tagged;
        const v = verifyTag(topic, Buffer.from(tagged, 'latin1'), key);
        if (!v.ok || v.value.toString('latin1') !== original) return fail(`a valid tag was refused or changed the payload: ${JSON.stringify(v.ok ? v.value.toString('latin1') : v)}`);
      } else if (sub === 1) {
        kind = 'tag-mutated';
        input = mutate(r, tagged, r.range(1, 3));
        const v = verifyTag(topic, Buffer.from(input, 'latin1'), key);
        if (v.ok && input !== tagged) return fail(`a changed event passed as ${JSON.stringify(v.value.toString('latin1'))}`);
      } else if (sub === 2) {
        kind = 'tag-elsewhere';
        input = tagged;
        // The same bytes on another topic, or checked with another secret.
        const v = r.chance(0.5) ? verifyTag(eventTopic(r, thing + 'x'), Buffer.from(tagged, 'latin1'), key) : verifyTag(topic, Buffer.from(tagged, 'latin1'), secret(r));
        if (v.ok) return fail('a tag passed on another topic or under another secret');
      } else {
        kind = 'tag-random';
        input = r.chance(0.5) ? randomBytes(r, r.int(200)) : original.slice(0, -1) + `,"tag":"${randomBytes(r, 40)}"}`;
        const v = verifyTag(topic, Buffer.from(input, 'latin1'), key);
        if (v.ok) return fail('random bytes passed the tag check');
      }
    } else {
      // The publish decision: anything forwarded is on the thing's own topics, with the tag gone.
      kind = 'publish-decision';
      const own = r.chance(0.6);
      const topic = own ? eventTopic(r, thing) : r.pick([`devices/${thingName(r)}/events/button`, randomBytes(r, r.int(30)), `devices/${thing}`, `devices/${thing}x/a`]);
      const body = r.chance(0.5) ? tagEvent(topic, payload(r), key, sha1) : r.chance(0.5) ? r.pick(['online', 'offline']) : mutate(r, tagEvent(topic, payload(r), key, sha1), 1);
      input = topic + '\n' + body;
      const d = decidePublish({ thing, secret: key, topicPrefix: Topic.DefaultPrefix }, { topic, payload: Buffer.from(body, 'latin1'), qos: r.pick([0, 1, 2]) });
      if (d.action === 'forward') {
        if (!ownsTopic(Topic.DefaultPrefix, thing, topic)) return fail(`forwarded to ${JSON.stringify(topic)}, not a topic of ${thing}`);
        if (/"tag":"/.test(d.payload.toString('latin1'))) return fail('forwarded with its tag');
      }
    }
  } catch (e) {
    return fail(`threw: ${(e as Error)?.stack ?? e}`);
  }
  return { ok: true, kind };
}
