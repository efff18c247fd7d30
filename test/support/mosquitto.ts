// Starts and stops a private mosquitto 2 on loopback for interop tests, configured to behave like
// AWS IoT for a thing: TLS 1.2 with client certificates required, username = certificate CN, and an
// ACL keyed on it. It never touches the system's mosquitto service or /etc/mosquitto.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type { DevPki } from '../../tools/pki/dev-pki';

/** The mosquitto binary: on PATH, or where Debian puts it (/usr/sbin is not on a user's PATH). */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, 'mosquitto');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Run the suite, fail it (CI set: a missing mosquitto is a broken machine), or skip it (a developer's machine). */
export function mosquittoPlan(found: boolean, ci: string | undefined): 'run' | 'fail' | 'skip' {
  if (found) return 'run';
  return ci ? 'fail' : 'skip';
}

/**
 * `describe` for suites that need mosquitto. Missing mosquitto: under CI (CI set) the suite fails
 * with how to install it; on a developer machine it is skipped with a loud warning.
 */
export function describeWithMosquitto(name: string, fn: () => void): void {
  const plan = mosquittoPlan(findMosquitto() !== undefined, process.env.CI);
  if (plan === 'run') return describe(name, fn);
  const how = 'mosquitto is not installed: run `apt-get install -y mosquitto` (Debian; .ci/run does it)';
  if (plan === 'fail') {
    describe(name, () => {
      test('needs mosquitto', () => {
        throw new Error(`${how}. Under CI a missing mosquitto fails the interop tests instead of skipping them.`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPED "${name}": ${how}.\n!!! These interop tests did NOT run. (Under CI=true this is a failure.)\n!!!!!!!!!!\n`);
  describe.skip(name, fn);
}

export interface MosquittoOptions {
  pki: DevPki;
  /** CNs that may read (watch) every thing's topics, as a backend would. Default ['observer']. */
  observers?: string[];
  /** 0 (default) picks a free port; a restart reuses the port it got. */
  port?: number;
}

export interface Mosquitto {
  port: number;
  /** Everything mosquitto logged (connections, refusals, denials). */
  log: string[];
  /** Stops the broker; its persisted sessions come back with start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  /** Stops it and removes its config and data. */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * The settings that make mosquitto 2.0 act like an AWS IoT policy keyed on the thing name
 * (docs/espruino.md): the certificate's CN becomes the username and the ACL patterns use it.
 * mosquitto does not tie the client id to the CN, refuse QoS 2 or drop a second connection's
 * predecessor the AWS way; those are the AWS-like broker's tests.
 */
function config(dir: string, port: number, pki: DevPki): string {
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `listener ${port} 127.0.0.1`,
    `cafile ${pki.caPath}`,
    `certfile ${pki.server.certPath}`,
    `keyfile ${pki.server.keyPath}`,
    'require_certificate true',
    'use_identity_as_username true',
    // A minimum in mosquitto 2.0, not a maximum; the device only speaks 1.2.
    'tls_version tlsv1.2',
    `acl_file ${join(dir, 'acl')}`,
    // Sessions (the watcher's QoS 1 queue) survive a restart, as they do on AWS.
    'persistence true',
    `persistence_location ${join(dir, 'data')}/`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    // Run as whoever runs the tests: as root mosquitto would otherwise switch to the user
    // "mosquitto", which cannot read the 0600 keys of the test PKI.
    `user ${userInfo().username}`,
    '',
  ].join('\n');
}

function acl(observers: string[]): string {
  const lines = [
    '# Every certificate: its own thing topics only, like an AWS policy on the thing name.',
    'pattern readwrite devices/%u/#',
    'pattern readwrite $aws/things/%u/#',
  ];
  for (const o of observers) lines.push(`user ${o}`, 'topic read devices/#', 'topic read $aws/things/#');
  return lines.join('\n') + '\n';
}

export async function startMosquitto(opts: MosquittoOptions): Promise<Mosquitto> {
  const bin = findMosquitto();
  if (!bin) throw new Error('mosquitto is not installed: apt-get install -y mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'acl'), acl(opts.observers ?? ['observer']));
  const log: string[] = [];
  let port = opts.port ?? 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, config(dir, port, opts.pki));
    const c = spawn(bin!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let gone = false;
    exited = new Promise((resolve) =>
      c.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    let partial = '';
    c.stderr!.on('data', (d: Buffer) => {
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      log.push(...lines);
    });
    const t0 = Date.now();
    while (!(await canConnect(port))) {
      if (gone) throw new Error(`mosquitto exited at start:\n${log.slice(-10).join('\n')}`);
      if (Date.now() - t0 > 10000) {
        c.kill('SIGKILL');
        throw new Error(`mosquitto did not listen on ${port} within 10 s:\n${log.slice(-10).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c) return;
    child = undefined;
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM'); // SIGTERM saves the sessions
    await exited;
  }

  // A free port can be taken between probing and binding: try a few.
  for (let tries = 0; ; tries++) {
    if (!opts.port) port = await freePort();
    try {
      await launch();
      break;
    } catch (e) {
      await stop();
      if (opts.port || tries >= 4) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }

  return {
    port,
    log,
    stop,
    async start() {
      if (!child) await launch();
    },
    running: () => child !== undefined,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
