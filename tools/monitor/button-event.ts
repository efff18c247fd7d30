// A button event as the cloud receives it: parsed from its topic and JSON payload (the wire
// contract's ButtonEvent), judged for seq order, and printed as a line or as JSON. Lenient on
// purpose: it reads events from older firmware too. It does not subscribe or connect.
import { thingFromEventTopic, type ButtonEvent as WireEvent } from '../../firmware/core/wire-contract';
import type { SeqTracker, SeqVerdict } from './seq-tracker';

/** The wire contract's event as far as monitor needs it: any click type, uptime and fw optional. */
export interface ButtonEvent extends Pick<WireEvent, 'seq' | 'ts'>, Partial<Pick<WireEvent, 'uptime' | 'fw'>> {
  /** From the topic: the broker (or AWS policy) guarantees who may publish there. */
  thing: string;
  clickType: string;
}

export interface SeenEvent extends ButtonEvent, SeqVerdict {
  topic: string;
  receivedAt: number;
  /** receivedAt - ts, or null when the device clock was unset. */
  ageMs: number | null;
}

export type Parsed = { ok: true; event: ButtonEvent } | { ok: false; reason: string };


export function parseButtonEvent(topic: string, payload: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (!body || typeof body !== 'object') return { ok: false, reason: 'payload is not a JSON object' };
  const b = body as Record<string, unknown>;
  const thing = thingFromEventTopic(topic) ?? (typeof b.thing === 'string' ? b.thing : undefined);
  if (!thing) return { ok: false, reason: 'no thing in topic or payload' };
  if (typeof b.seq !== 'number' || !Number.isFinite(b.seq)) return { ok: false, reason: 'seq missing or not a number' };
  if (typeof b.clickType !== 'string') return { ok: false, reason: 'clickType missing' };
  if (b.ts !== null && typeof b.ts !== 'number') return { ok: false, reason: 'ts is neither a number nor null' };
  const event: ButtonEvent = { thing, seq: b.seq, clickType: b.clickType, ts: b.ts as number | null };
  if (typeof b.uptime === 'number') event.uptime = b.uptime;
  if (typeof b.fw === 'string') event.fw = b.fw;
  return { ok: true, event };
}

export function observe(topic: string, event: ButtonEvent, tracker: SeqTracker, receivedAt: number): SeenEvent {
  const verdict = tracker.track(event.thing, event.seq);
  return { topic, ...event, ...verdict, receivedAt, ageMs: event.ts === null ? null : receivedAt - event.ts };
}

export function formatAge(ageMs: number | null): string {
  if (ageMs === null) return 'clock unset';
  const sign = ageMs < 0 ? '-' : '';
  const a = Math.abs(ageMs);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  if (a < 3_600_000) return `${sign}${Math.round(a / 60_000)} min`;
  return `${sign}${(a / 3_600_000).toFixed(1)} h`;
}

function flagText(e: SeenEvent): string {
  switch (e.flag) {
    case 'gap':
      return e.missed === 1 ? `  GAP: seq ${e.from} missing` : `  GAP: ${e.missed} missing (seq ${e.from}..${e.to})`;
    case 'late':
      return '  LATE: fills an earlier gap';
    case 'duplicate':
      return '  DUPLICATE';
    default:
      return '';
  }
}

/** One line for people: time received, thing, click type, seq, age, and any flag. */
export function formatEventLine(e: SeenEvent): string {
  const time = new Date(e.receivedAt).toISOString().slice(11, 23);
  return `${time}  ${e.thing}  ${e.clickType.padEnd(6)}  seq ${e.seq}  age ${formatAge(e.ageMs)}${flagText(e)}`;
}

/** One JSON line for programs; `flag` is first|ok|gap|late|duplicate. */
export function formatEventJson(e: SeenEvent): string {
  const out: Record<string, unknown> = {
    receivedAt: new Date(e.receivedAt).toISOString(),
    topic: e.topic,
    thing: e.thing,
    clickType: e.clickType,
    seq: e.seq,
    ts: e.ts,
    ageMs: e.ageMs,
    flag: e.flag,
  };
  if (e.flag === 'gap') Object.assign(out, { missed: e.missed, missedFrom: e.from, missedTo: e.to });
  if (e.uptime !== undefined) out.uptime = e.uptime;
  if (e.fw !== undefined) out.fw = e.fw;
  return JSON.stringify(out);
}
