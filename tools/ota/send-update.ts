// Streams a firmware bundle to one device over its own topics (devices/<thing>/ota/in and /out):
// begin, chunks of the size the device asked for, one in flight (the device writes each to flash
// before it answers), then waits for the device's verdict after its restart: proven (SUCCEEDED),
// rolled back (FAILED, with its reason) or refused (REJECTED). Resuming is the device's: a new
// begin with the same bundle continues where its flash stopped. It holds no MQTT connection itself.
import { makeOffer } from './update-offer';
import { Topic, thingRoot } from '../../firmware/core/wire-contract';

export interface OtaLink {
  publish(topic: string, payload: Buffer): Promise<void> | void;
  /** Every payload the device publishes on <prefix>/<thing>/ota/out (Topic.OtaOut); returns an unsubscribe. */
  onReply(fn: (payload: Buffer) => void): () => void;
}

export interface SendUpdateOptions {
  thing: string;
  prefix?: string;
  bundle: Buffer;
  version: string;
  /** The device secret (gateway mode): the bundle travels with its HMAC. */
  secret?: string;
  allowDowngrade?: boolean;
  /** How long one answer may take before the step is sent again (default 10 s); 3 silent tries fail. */
  stepTimeoutMs?: number;
  /** How long the new firmware may take to prove itself or roll back (default 20 min: 3 boots). */
  outcomeTimeoutMs?: number;
  onProgress?: (sent: number, total: number) => void;
  /** Each answer of the device's, by its state ('ready', 'ack', 'switching', ...). */
  onState?: (state: string) => void;
  /** Tests only: what actually goes out for the chunk at `offset`. */
  alterChunk?: (offset: number, chunk: Buffer) => { offset: number; chunk: Buffer }[];
}

export type UpdateStatus = 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'TIMED_OUT';

export interface UpdateOutcome {
  status: UpdateStatus;
  detail: string;
}

interface Reply {
  s: string;
  next?: number;
  chunk?: number;
  v?: string;
  why?: string;
  failed?: string;
}

export async function sendUpdate(link: OtaLink, o: SendUpdateOptions): Promise<UpdateOutcome> {
  const root = thingRoot(o.prefix ?? Topic.DefaultPrefix, o.thing);
  const step = o.stepTimeoutMs ?? 10000;
  const queue: Reply[] = [];
  let wake: (() => void) | undefined;
  const off = link.onReply((p) => {
    try {
      queue.push(JSON.parse(p.toString('latin1')) as Reply);
    } catch {
      return; // not ours to judge: a device only sends JSON here
    }
    wake?.();
  });
  const next = (ms: number): Promise<Reply | undefined> =>
    new Promise((resolve) => {
      if (queue.length) return resolve(queue.shift());
      const t = setTimeout(() => {
        wake = undefined;
        resolve(undefined);
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve(queue.shift());
      };
    });
  const offer = makeOffer(o.bundle, o.version, o.secret, o.allowDowngrade);
  const begin = Buffer.from(JSON.stringify(offer), 'latin1');
  const send = async (b: Buffer) => link.publish(root + Topic.OtaIn, b);
  const sendChunk = async (at: number, size: number) => {
    const c = o.bundle.subarray(at, at + size);
    for (const x of o.alterChunk ? o.alterChunk(at, c) : [{ offset: at, chunk: c }])
      await send(Buffer.concat([Buffer.from(`c${x.offset}:`, 'latin1'), x.chunk]));
  };
  try {
    await send(begin);
    let size = 0;
    let last: () => Promise<void> = () => send(begin);
    let silent = 0;
    let acked = -1; // the furthest the device has confirmed
    for (;;) {
      const r = await next(step);
      if (!r) {
        if (++silent >= 3) return { status: 'TIMED_OUT', detail: 'the device did not answer (offline?)' };
        await last();
        continue;
      }
      silent = 0;
      o.onState?.(r.s);
      if (r.s === 'refused') return { status: 'REJECTED', detail: r.why ?? 'refused' };
      if (r.s === 'again') {
        last = () => send(begin);
        await last();
        continue;
      }
      if (r.s === 'ready' || r.s === 'ack') {
        if (r.chunk) size = r.chunk;
        const at = r.next ?? 0;
        // A repeated answer (a duplicate chunk, or one that arrived out of order) sends nothing:
        // answering each would multiply the traffic; if a chunk was lost, the step timeout resends it.
        if (r.s === 'ack' && at <= acked) continue;
        acked = at;
        o.onProgress?.(at, o.bundle.length);
        last = () => sendChunk(at, size);
        await last();
        continue;
      }
      if (r.s === 'switching') break;
      // 'ok' / 'rolledback' left over from an earlier update: not this one's answer.
    }
    o.onProgress?.(o.bundle.length, o.bundle.length);
    const until = Date.now() + (o.outcomeTimeoutMs ?? 20 * 60000);
    for (;;) {
      const r = await next(Math.max(1, until - Date.now()));
      if (!r) return { status: 'TIMED_OUT', detail: 'no verdict from the device after the switch' };
      if (r.s === 'ok') return r.v === o.version ? { status: 'SUCCEEDED', detail: `running ${r.v}` } : { status: 'FAILED', detail: `running ${r.v}, not ${o.version}` };
      if (r.s === 'rolledback') return { status: 'FAILED', detail: `rolled back to ${r.v}: ${r.why}` };
    }
  } finally {
    off();
  }
}
