// Button events as the cloud receives them: parsed from topic and payload, judged, and printed
// as a line for people or a JSON line for programs.
import { formatAge, formatEventJson, formatEventLine, observe, parseButtonEvent } from '../../tools/monitor/button-event';
import { thingFromEventTopic as thingFromTopic } from '../../firmware/core/wire-contract';
import { createSeqTracker } from '../../tools/monitor/seq-tracker';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const payload = (o: object) => JSON.stringify({ thing: 'button-1', seq: 1, clickType: 'SINGLE', ts: T0 - 150, uptime: 12, fw: '0.1.0', ...o });

test('the thing comes from the topic, whatever prefix is configured', () => {
  expect(thingFromTopic('devices/button-1/events/button')).toBe('button-1');
  expect(thingFromTopic('acme/site-2/button-9/events/button')).toBe('button-9');
  expect(thingFromTopic('button')).toBeUndefined();
});

test('a firmware payload parses to an event', () => {
  const p = parseButtonEvent('devices/button-1/events/button', payload({}));
  expect(p).toEqual({ ok: true, event: { thing: 'button-1', seq: 1, clickType: 'SINGLE', ts: T0 - 150, uptime: 12, fw: '0.1.0' } });
});

test.each([
  ['not json', 'payload is not JSON'],
  ['42', 'payload is not a JSON object'],
  [JSON.stringify({ clickType: 'SINGLE', ts: null }), 'seq missing or not a number'],
  [JSON.stringify({ seq: 1, ts: null }), 'clickType missing'],
  [JSON.stringify({ seq: 1, clickType: 'LONG', ts: 'noon' }), 'ts is neither a number nor null'],
])('unreadable payload %s: %s', (body, reason) => {
  expect(parseButtonEvent('devices/b/events/button', body)).toEqual({ ok: false, reason });
});

test('a line shows time, thing, click type, seq and age; flags are spelled out', () => {
  const t = createSeqTracker();
  const ev = (seq: number, ts: number | null) => observe('devices/button-1/events/button', { thing: 'button-1', seq, clickType: 'SINGLE', ts }, t, T0);
  expect(formatEventLine(ev(7, T0 - 150))).toBe('12:00:00.000  button-1  SINGLE  seq 7  age 150 ms');
  expect(formatEventLine(ev(8, null))).toBe('12:00:00.000  button-1  SINGLE  seq 8  age clock unset');
  expect(formatEventLine(ev(10, T0))).toBe('12:00:00.000  button-1  SINGLE  seq 10  age 0 ms  GAP: seq 9 missing');
  expect(formatEventLine(ev(14, T0))).toMatch(/GAP: 3 missing \(seq 11\.\.13\)$/);
  expect(formatEventLine(ev(12, T0))).toMatch(/LATE: fills an earlier gap$/);
  expect(formatEventLine(ev(12, T0))).toMatch(/DUPLICATE$/);
});

test('a JSON line carries the event, its age and its flag', () => {
  const t = createSeqTracker();
  observe('devices/button-1/events/button', { thing: 'button-1', seq: 1, clickType: 'SINGLE', ts: null }, t, T0);
  const seen = observe('devices/button-1/events/button', { thing: 'button-1', seq: 4, clickType: 'DOUBLE', ts: T0 - 2500, uptime: 99, fw: '0.1.0' }, t, T0);
  expect(JSON.parse(formatEventJson(seen))).toEqual({
    receivedAt: '2026-11-25T12:00:00.000Z',
    topic: 'devices/button-1/events/button',
    thing: 'button-1',
    clickType: 'DOUBLE',
    seq: 4,
    ts: T0 - 2500,
    ageMs: 2500,
    flag: 'gap',
    missed: 2,
    missedFrom: 2,
    missedTo: 3,
    uptime: 99,
    fw: '0.1.0',
  });
});

test('ages read naturally from milliseconds to hours, and a device clock ahead shows negative', () => {
  expect(formatAge(999)).toBe('999 ms');
  expect(formatAge(1500)).toBe('1.5 s');
  expect(formatAge(125_000)).toBe('2 min');
  expect(formatAge(2 * 3_600_000)).toBe('2.0 h');
  expect(formatAge(-300)).toBe('-300 ms');
  expect(formatAge(null)).toBe('clock unset');
});
