// The gateway's firmware updates for its devices: a queued update (bundle and version, kept in the
// store's updates/ folder so it survives a gateway restart) is streamed to the device with
// sendUpdate as soon as the device is connected and subscribed to its ota topic, and its outcome is
// recorded only once the device gave its verdict (proven, rolled back, refused). It does not decide
// what to install (an AWS IoT job does, job-runner.ts), and never replaces an update under way.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Aedes from 'aedes';
import { writeAtomic } from '../shared/write-atomic';
import { sendUpdate, type UpdateOutcome } from '../ota/send-update';
import type { DeviceStore } from './device-store';
import type { DeviceSessions } from './device-sessions';
import { Topic, thingRoot } from '../../firmware/core/wire-contract';

export interface UpdateRecord {
  version: string;
  allowDowngrade: boolean;
  state: 'pending' | 'running' | UpdateOutcome['status'];
  detail: string;
  /** The device has switched to the new slot (so after a gateway restart, "already running <version>" means it is done). */
  switched: boolean;
  /** The AWS IoT job this update executes, if any. */
  job?: string;
}

/** What an update is doing, for whoever reports it (the job runner's IN_PROGRESS details). */
export type UpdateProgress = { sent: number; total: number } | { state: 'switching' };

export interface DeviceUpdates {
  /**
   * Queues, and starts at once if the device is connected and listening. Throws while another
   * update of the thing is pending or running: replacing a transfer under way is never done (the
   * same job queued again is kept as it is, so it resumes).
   */
  queue(thing: string, bundle: Buffer, version: string, opts?: { allowDowngrade?: boolean; job?: string }): void;
  status(thing: string): UpdateRecord | undefined;
  /** Resolves with the outcome of the thing's current update. */
  outcome(thing: string): Promise<UpdateRecord>;
  /** Calls `fn` with the progress of the thing's updates until the returned function is called. */
  watch(thing: string, fn: (p: UpdateProgress) => void): () => void;
  close(): void;
}

export interface DeviceUpdatesDeps {
  store: DeviceStore;
  sessions: Pick<DeviceSessions, 'sendToDevice'>;
  aedes: Aedes;
  log: (line: string) => void;
  /** Per-answer wait before a step is resent (default 10 s); tests shorten it. */
  stepTimeoutMs?: number;
}

export function createDeviceUpdates(d: DeviceUpdatesDeps): DeviceUpdates {
  const dir = join(d.store.dir, 'updates');
  const running = new Set<string>();
  const waiters = new Map<string, ((r: UpdateRecord) => void)[]>();
  const replies = new Map<string, (payload: Buffer) => void>();
  const watchers = new Map<string, Set<(p: UpdateProgress) => void>>();
  const tell = (thing: string, p: UpdateProgress) => watchers.get(thing)?.forEach((fn) => fn(p));
  // Things connected and subscribed to their ota topic: a begin sent before that would be lost.
  // (By client object: a takeover's old connection may report its disconnect after the new one subscribed.)
  const listening = new Map<string, object>();
  let closed = false;
  const recordPath = (thing: string) => join(dir, `${thing}.json`);
  const bundlePath = (thing: string) => join(dir, `${thing}.js`);
  const read = (thing: string): UpdateRecord | undefined => {
    try {
      return JSON.parse(readFileSync(recordPath(thing), 'utf8')) as UpdateRecord;
    } catch {
      return undefined;
    }
  };
  const write = (thing: string, r: UpdateRecord) => writeAtomic(recordPath(thing), JSON.stringify(r, null, 2) + '\n');

  async function start(thing: string): Promise<void> {
    const rec = read(thing);
    const dev = d.store.get(thing);
    if (closed || running.has(thing) || !rec || (rec.state !== 'pending' && rec.state !== 'running') || !dev || !existsSync(bundlePath(thing))) return;
    running.add(thing);
    write(thing, { ...rec, state: 'running' });
    d.log(`update ${thing}: sending ${rec.version}${rec.switched ? ' (resuming after the switch)' : ''}`);
    let outcome: UpdateOutcome;
    try {
      outcome = await sendUpdate(
        {
          publish: (topic, payload) => {
            if (!d.sessions.sendToDevice(thing, topic, payload)) throw new Error('offline');
          },
          onReply: (fn) => {
            replies.set(thing, fn);
            return () => replies.delete(thing);
          },
        },
        {
          thing,
          prefix: dev.topicPrefix,
          bundle: readFileSync(bundlePath(thing)),
          version: rec.version,
          secret: dev.secret,
          allowDowngrade: rec.allowDowngrade,
          stepTimeoutMs: d.stepTimeoutMs,
          onProgress: (sent, total) => tell(thing, { sent, total }),
          onState: (s) => {
            if (s !== 'switching') return;
            write(thing, { ...rec, state: 'running', switched: true });
            tell(thing, { state: 'switching' });
          },
        },
      );
    } catch (e) {
      // Not connected (or gone mid-update): it stays queued; its next SUBSCRIBE starts it again.
      write(thing, { ...(read(thing) ?? rec), state: 'pending' });
      if ((e as Error).message !== 'offline') d.log(`update ${thing}: ${(e as Error).message}`);
      return;
    } finally {
      running.delete(thing);
    }
    const now = read(thing) ?? rec;
    // The device proved the new firmware and reported while the gateway was down: it now runs it.
    if (outcome.status === 'REJECTED' && now.switched && outcome.detail === `already running ${rec.version}`) outcome = { status: 'SUCCEEDED', detail: `running ${rec.version}` };
    // Silence (the device went away): it stays queued for when it comes back.
    if (closed || outcome.status === 'TIMED_OUT') {
      if (!closed) write(thing, { ...now, state: 'pending', detail: outcome.detail });
      return;
    }
    const done: UpdateRecord = { ...now, state: outcome.status, detail: outcome.detail };
    write(thing, done);
    rmSync(bundlePath(thing), { force: true });
    d.log(`update ${thing}: ${outcome.status} (${outcome.detail})`);
    for (const w of waiters.get(thing)?.splice(0) ?? []) w(done);
  }

  // A device's answers come up as its publishes on devices/<thing>/ota/out (they go on to AWS too).
  const root = (thing: string) => thingRoot(d.store.get(thing)?.topicPrefix ?? Topic.DefaultPrefix, thing);
  const onPublish = (packet: { topic: string; payload: Buffer | string }, client: { id: string } | null) => {
    if (!client || !replies.has(client.id) || packet.topic !== root(client.id) + Topic.OtaOut) return;
    replies.get(client.id)?.(Buffer.from(packet.payload));
  };
  // A device that subscribes to its ota topic is connected and listening: start what is queued for it.
  const onSubscribe = (subs: { topic: string }[], client: { id: string } | null) => {
    if (!client || !d.store.get(client.id) || !subs.some((s) => s.topic === root(client.id) + Topic.OtaIn)) return;
    listening.set(client.id, client);
    setTimeout(() => void start(client.id).catch((e) => d.log(`update ${client.id}: ${e}`)), 200);
  };
  const onDisconnect = (client: { id: string }) => {
    if (listening.get(client.id) === client) listening.delete(client.id);
  };
  d.aedes.on('publish', onPublish as never);
  d.aedes.on('subscribe', onSubscribe as never);
  d.aedes.on('clientDisconnect', onDisconnect as never);

  return {
    queue(thing, bundle, version, opts = {}) {
      const now = read(thing);
      if (now && (now.state === 'pending' || now.state === 'running')) {
        if (opts.job !== undefined && now.job === opts.job) {
          // The same job again (its executor reconnected): it resumes as it is, at once if the device listens.
          if (listening.has(thing)) void start(thing).catch((e) => d.log(`update ${thing}: ${e}`));
          return;
        }
        throw new Error(`an update of ${thing} to ${now.version} is ${now.state}: it must end before another is queued`);
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(bundlePath(thing), bundle);
      write(thing, { version, allowDowngrade: opts.allowDowngrade === true, state: 'pending', detail: '', switched: false, ...(opts.job !== undefined ? { job: opts.job } : {}) });
      d.log(`update ${thing}: ${version} queued (${bundle.length} bytes)${opts.job !== undefined ? ` for job ${opts.job}` : ''}`);
      if (listening.has(thing)) void start(thing).catch((e) => d.log(`update ${thing}: ${e}`));
    },
    status: read,
    outcome(thing) {
      const r = read(thing);
      if (r && r.state !== 'pending' && r.state !== 'running') return Promise.resolve(r);
      return new Promise((resolve) => waiters.set(thing, [...(waiters.get(thing) ?? []), resolve]));
    },
    watch(thing, fn) {
      const set = watchers.get(thing) ?? new Set();
      watchers.set(thing, set.add(fn));
      return () => set.delete(fn);
    },
    close() {
      closed = true;
      d.aedes.removeListener('publish', onPublish as never);
      d.aedes.removeListener('subscribe', onSubscribe as never);
      d.aedes.removeListener('clientDisconnect', onDisconnect as never);
    },
  };
}
