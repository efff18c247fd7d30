// monitor: prints each button event as the cloud sees it (thing, clickType, seq, age), flagging
// gaps, late arrivals and duplicates in seq per thing. Watches only; it never publishes.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { amazonRootCa1Pem, commonName, displayPath } from '../certificates';
import { readWatcher } from '../aws-setup/watcher';
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { formatEventJson, formatEventLine, observe, parseButtonEvent } from './button-event';
import { createCloudWatcher, DEFAULT_MQTT_PORT, type CloudWatcher, type CloudWatcherOptions } from './cloud-watcher';
import { createSeqTracker } from './seq-tracker';
import { eventFilter, isEventTopic, Topic, topicPrefixProblem } from '../../firmware/core/wire-contract';

export interface MonitorOptions {
  cwd: string;
  /** Default 127.0.0.1: the local broker of `npm start`. */
  endpoint?: string;
  port?: number;
  /** Paths; all three default to the dev PKI's monitor identity when the endpoint is local. */
  cert?: string;
  key?: string;
  ca?: string;
  /** Default: the certificate's common name (what the local broker and a thing policy expect). */
  clientId?: string;
  /** The devices' topic prefix; default the wire contract's `devices`. */
  topicPrefix?: string;
  /** Default [eventFilter(topicPrefix)]: every thing's button events. */
  topics?: string[];
  json?: boolean;
  /** Stop after this many button events (scripts, tests); default: run until stopped. */
  count?: number;
}

export interface IdentityFiles {
  certPath: string;
  keyPath: string;
  /** Undefined: Amazon Root CA 1 from Node's root store. */
  caPath?: string;
}

export interface MonitorDeps {
  log: Logger;
  now?: () => number;
  /** Resolves when the user wants to stop; default: Ctrl-C (SIGINT) or SIGTERM. */
  stop?: Promise<void>;
  /** The dev PKI identity used against the local broker; default tools/pki's, for MONITOR_CN. */
  devIdentity?: (cwd: string) => IdentityFiles;
  watch?: (opts: CloudWatcherOptions, onMessage: (topic: string, payload: string) => void) => CloudWatcher;
}

export interface MonitorSummary {
  events: number;
  gaps: number;
  missing: number;
  late: number;
  duplicates: number;
  unreadable: number;
}

/**
 * The dev PKI identity monitor uses. Not `observer`: that is the client id `npm start` watches
 * with, and a second connection with the same client id drops the first, as on AWS IoT.
 */
export const MONITOR_CN = 'monitor';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

async function defaultDevIdentity(cwd: string): Promise<IdentityFiles> {
  const { ensureDevPki } = await import('../pki/dev-pki');
  const pki = ensureDevPki(join(cwd, 'certs', 'dev'));
  const id = pki.client(MONITOR_CN);
  return { certPath: id.certPath, keyPath: id.keyPath, caPath: pki.caPath };
}

function untilSignal(): { promise: Promise<void>; dispose: () => void } {
  let done: () => void = () => undefined;
  const promise = new Promise<void>((r) => (done = r));
  const onSignal = () => done();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return { promise, dispose };
}

/**
 * Where to watch and as whom: given files; else the cloud watcher aws-setup made (its endpoint,
 * certificate and client id; --endpoint, --port and --ca still override); else, locally, the dev PKI.
 */
function watcherTarget(o: MonitorOptions, log: Logger): { endpoint: string; port: number; files: IdentityFiles; clientId: string } | undefined {
  if (o.cert || o.key || (o.endpoint !== undefined && LOCAL_HOSTS.has(o.endpoint))) return undefined;
  const w = readWatcher(o.cwd);
  if (!w) return undefined;
  log.info(`Using the cloud watcher identity aws-setup made (${displayPath(o.cwd, w.dir)}, client id ${w.clientId}).`);
  return {
    endpoint: o.endpoint ?? w.endpoint,
    port: o.port ?? w.port,
    files: { certPath: join(w.dir, 'certificate.pem.crt'), keyPath: join(w.dir, 'private.pem.key'), caPath: o.ca ? resolve(o.cwd, o.ca) : undefined },
    clientId: o.clientId ?? w.clientId,
  };
}

async function identityFor(o: MonitorOptions, deps: MonitorDeps, endpoint: string): Promise<IdentityFiles> {
  if (o.cert && o.key && o.ca) return { certPath: resolve(o.cwd, o.cert), keyPath: resolve(o.cwd, o.key), caPath: resolve(o.cwd, o.ca) };
  if (o.cert || o.key || o.ca || !LOCAL_HOSTS.has(endpoint)) {
    throw new UserError(
      `Give all three of --cert, --key and --ca for ${endpoint}, or run aws-setup, which makes a watcher identity monitor uses by itself: one whose policy may subscribe to the devices' topics (not a button's own certificate, which would disconnect the button).`,
      'monitor-identity',
    );
  }
  return deps.devIdentity ? deps.devIdentity(o.cwd) : defaultDevIdentity(o.cwd);
}

function clientIdFor(o: MonitorOptions, certPath: string): string {
  if (o.clientId) return o.clientId;
  let cn: string | undefined;
  try {
    cn = commonName(new X509Certificate(readFileSync(certPath)));
  } catch {
    throw new UserError(`Cannot read the certificate ${certPath}: check --cert.`, 'identity-missing');
  }
  if (!cn) throw new UserError(`The certificate ${certPath} has no common name to use as client id: pass --client-id.`, 'monitor-identity');
  return cn;
}

export async function run(o: MonitorOptions, deps: MonitorDeps): Promise<MonitorSummary> {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const watcher0 = watcherTarget(o, log);
  const endpoint = watcher0?.endpoint ?? o.endpoint ?? '127.0.0.1';
  const port = watcher0?.port ?? o.port ?? DEFAULT_MQTT_PORT;
  const prefix = o.topicPrefix ?? Topic.DefaultPrefix;
  if (topicPrefixProblem(prefix)) throw new UserError(`--topic-prefix "${prefix}" ${topicPrefixProblem(prefix)}: pass the prefix the devices were provisioned with.`, 'config-invalid');
  const topics = o.topics && o.topics.length ? o.topics : [eventFilter(prefix)];
  const files = watcher0?.files ?? (await identityFor(o, deps, endpoint));
  const clientId = watcher0?.clientId ?? clientIdFor(o, files.certPath);
  const tracker = createSeqTracker();
  const summary: MonitorSummary = { events: 0, gaps: 0, missing: 0, late: 0, duplicates: 0, unreadable: 0 };
  const signal = deps.stop ? { promise: deps.stop, dispose: () => undefined } : untilSignal();
  let reachedCount: () => void = () => undefined;
  const counted = new Promise<void>((r) => (reachedCount = r));

  function onMessage(topic: string, payload: string): void {
    const at = now();
    if (!isEventTopic(topic)) {
      log.out(o.json ? JSON.stringify({ receivedAt: new Date(at).toISOString(), topic, payload }) : `${new Date(at).toISOString().slice(11, 23)}  ${topic}  ${payload}`);
      return;
    }
    const parsed = parseButtonEvent(topic, payload);
    if (!parsed.ok) {
      summary.unreadable++;
      const shown = payload.length > 120 ? payload.slice(0, 120) + '…' : payload;
      log.out(o.json ? JSON.stringify({ receivedAt: new Date(at).toISOString(), topic, error: parsed.reason, payload: shown }) : `unreadable event on ${topic} (${parsed.reason}): ${shown}`);
      return;
    }
    const seen = observe(topic, parsed.event, tracker, at);
    summary.events++;
    if (seen.flag === 'gap') {
      summary.gaps++;
      summary.missing += seen.missed ?? 0;
    }
    if (seen.flag === 'late') summary.late++;
    if (seen.flag === 'duplicate') summary.duplicates++;
    log.out(o.json ? formatEventJson(seen) : formatEventLine(seen));
    if (o.count !== undefined && summary.events >= o.count) reachedCount();
  }

  log.info(`Connecting to ${endpoint}:${port} as ${clientId}…`);
  const slow = setTimeout(() => log.info('Still connecting (the SDK reports a failed TLS handshake only after 10-30 s)…'), 5000);
  slow.unref();
  const watcher = (deps.watch ?? createCloudWatcher)(
    {
      endpoint,
      port,
      certPath: files.certPath,
      keyPath: files.keyPath,
      caPath: files.caPath,
      ca: files.caPath ? undefined : amazonRootCa1Pem(),
      clientId,
      topics,
      onStatus: (event, detail) => log.info(event === 'interrupted' ? `Connection lost (${detail}); reconnecting…` : `Reconnected (${detail}).`),
      onError: (err) => log.error(`monitor: ${err instanceof Error ? err.message : String(err)}`),
    },
    onMessage,
  );
  try {
    const stoppedEarly = await Promise.race([watcher.ready.then(() => false), signal.promise.then(() => true)]);
    clearTimeout(slow);
    if (stoppedEarly) {
      log.info('Stopping once the connection attempt ends (Ctrl-C again to quit at once)…');
    } else {
      log.info(`Watching ${topics.join(', ')}${o.count !== undefined ? ` until ${o.count} events` : '; Ctrl-C to stop'}.`);
      await Promise.race([signal.promise, counted]);
    }
  } finally {
    clearTimeout(slow);
    // From here a second Ctrl-C gets Node's default: quit at once.
    signal.dispose();
    await watcher.close();
  }
  log.info(
    `${summary.events} events: ${summary.gaps} gaps (${summary.missing} missing), ${summary.late} late, ${summary.duplicates} duplicates${summary.unreadable ? `, ${summary.unreadable} unreadable` : ''}.`,
  );
  return summary;
}
