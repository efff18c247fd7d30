// The device's CONNECT password and event tag: their exact form, and that the gateway's checks
// (tools/gateway/auth.ts) accept them and refuse every alteration.
import { createHmac, randomBytes } from 'node:crypto';
import { connectPassword, tagEvent } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';
import { verifyConnect, verifyTag } from '../../tools/gateway/auth';

const secret = randomBytes(32).toString('hex');
const thing = 'button-1';
const hmacHex = (msg: string) => createHmac('sha1', secret).update(msg).digest('hex');

describe('connectPassword', () => {
  test('is v1:<counter>:<hex HMAC(secret, "connect|thing|counter")> and never contains the secret', () => {
    const pw = connectPassword(thing, secret, 42, sha1);
    expect(pw).toBe(`v1:42:${hmacHex(`connect|${thing}|42`)}`);
    expect(pw).not.toContain(secret);
  });

  test('changes with every counter value, so no password is reusable', () => {
    expect(connectPassword(thing, secret, 1, sha1)).not.toBe(connectPassword(thing, secret, 2, sha1));
  });

  test('is accepted by the gateway above the highest counter seen and refused at or below it', () => {
    const attempt = (n: number) => ({ clientId: thing, username: thing, password: Buffer.from(connectPassword(thing, secret, n, sha1)) });
    expect(verifyConnect(thing, secret, 6, attempt(7))).toEqual({ ok: true, value: 7 });
    expect(verifyConnect(thing, secret, 7, attempt(7))).toMatchObject({ ok: false, reason: expect.stringContaining('replayed') });
    expect(verifyConnect(thing, secret, 7, attempt(3))).toMatchObject({ ok: false, reason: expect.stringContaining('replayed') });
  });

  test('made with another secret or for another thing is refused as a wrong secret', () => {
    const other = randomBytes(32).toString('hex');
    const pw = connectPassword(thing, other, 9, sha1);
    expect(verifyConnect(thing, secret, 0, { clientId: thing, username: thing, password: pw })).toMatchObject({ ok: false, reason: expect.stringContaining('wrong secret') });
    const foreign = connectPassword('button-2', secret, 9, sha1);
    expect(verifyConnect(thing, secret, 0, { clientId: thing, username: thing, password: foreign })).toMatchObject({ ok: false, reason: expect.stringContaining('wrong secret') });
  });

  test('a password with its counter edited is refused (the MAC covers the counter)', () => {
    const pw = connectPassword(thing, secret, 5, sha1).replace('v1:5:', 'v1:6:');
    expect(verifyConnect(thing, secret, 0, { clientId: thing, username: thing, password: pw })).toMatchObject({ ok: false });
  });

  test('the gateway refuses a client id or username other than the thing, and malformed passwords', () => {
    const pw = connectPassword(thing, secret, 5, sha1);
    expect(verifyConnect(thing, secret, 0, { clientId: 'x', username: thing, password: pw }).ok).toBe(false);
    expect(verifyConnect(thing, secret, 0, { clientId: thing, username: 'x', password: pw }).ok).toBe(false);
    for (const bad of [undefined, '', 'v1:5', 'v2:5:' + 'a'.repeat(40), 'v1:05:' + 'a'.repeat(40), 'v1:5:' + 'A'.repeat(40), 'v1:-1:' + 'a'.repeat(40)]) {
      expect(verifyConnect(thing, secret, 0, { clientId: thing, username: thing, password: bad }).ok).toBe(false);
    }
  });
});

describe('tagEvent', () => {
  const topic = `devices/${thing}/events/button`;

  test('inserts ,"tag":"<hex HMAC(secret, topic \\n payload)>" before the final brace', () => {
    const payload = '{"thing":"button-1","seq":3,"clickType":"single"}';
    const tagged = tagEvent(topic, payload, secret, sha1);
    expect(tagged).toBe(payload.slice(0, -1) + `,"tag":"${hmacHex(topic + '\n' + payload)}"}`);
    expect(JSON.parse(tagged)).toMatchObject({ seq: 3, tag: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  test('gives valid JSON for an empty object', () => {
    expect(JSON.parse(tagEvent(topic, '{}', secret, sha1))).toEqual({ tag: hmacHex(topic + '\n{}') });
    expect(JSON.parse(tagEvent(topic, '{ }', secret, sha1)).tag).toBe(hmacHex(topic + '\n{ }'));
  });

  test('round-trips through the gateway, which returns the exact original bytes', () => {
    for (const payload of ['{}', '{ }', '{"a":1}', '{"a":1 }', '{"s":"}{,\\"tag\\":"}', '{"n":[1,{"x":{}}],"u":"é"}']) {
      const tagged = tagEvent(topic, payload, secret, sha1);
      const v = verifyTag(topic, Buffer.from(tagged, 'latin1'), secret);
      expect(v).toEqual({ ok: true, value: Buffer.from(payload, 'latin1') });
    }
  });

  test('any change to the payload, the topic or the tag is refused by the gateway', () => {
    const payload = '{"seq":1,"clickType":"single"}';
    const tagged = tagEvent(topic, payload, secret, sha1);
    const b = (s: string) => Buffer.from(s, 'latin1');
    expect(verifyTag(topic, b(tagged.replace('single', 'double')), secret).ok).toBe(false);
    expect(verifyTag(`devices/${thing}/events/other`, b(tagged), secret).ok).toBe(false);
    const flipped = tagged.slice(0, -3) + (tagged.slice(-3, -2) === '0' ? '1' : '0') + tagged.slice(-2);
    expect(verifyTag(topic, b(flipped), secret).ok).toBe(false);
    expect(verifyTag(topic, b(payload), secret)).toEqual({ ok: false, reason: 'no tag' });
    expect(verifyTag(topic, b(tagEvent(topic, payload, randomBytes(32).toString('hex'), sha1)), secret).ok).toBe(false);
  });
});
