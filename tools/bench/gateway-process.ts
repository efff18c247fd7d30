// The gateway under test as a child process (`tools/cli.ts gateway`, exactly what `npm run gateway`
// runs), so that its memory, CPU, threads and descriptors can be read from /proc apart from the
// bench's own. Linux only (/proc); it does not interpret the figures.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ProcStats {
  rssKB: number;
  threads: number;
  fds: number;
  /** User + system CPU time so far, in seconds. */
  cpuSeconds: number;
}

export interface GatewayProcess {
  pid: number;
  port: number;
  stats(): ProcStats;
  /** stats() after a full GC in the gateway, so that garbage not yet collected does not count. */
  statsAfterGc(): Promise<ProcStats>;
  /** Gateway log lines that report a refusal, a drop or a loss, since the last call. */
  takeProblems(): string[];
  /** SIGTERM (the gateway closes every connection), SIGKILL if it has not exited in 10 s. */
  stop(): Promise<void>;
}

/** Kernel clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLK_TCK = 100;
const GC_ON_SIGUSR2 = 'data:text/javascript,process.on("SIGUSR2",()=>globalThis.gc())';
const PROBLEM = /refused|dropped|lost|not acknowledged|not delivered|error|failed/;

export function readProcStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]); // utime, stime (fields 14 and 15)
  return { rssKB: field('VmRSS'), threads: field('Threads'), fds: readdirSync(`/proc/${pid}/fd`).length, cpuSeconds: ticks / CLK_TCK };
}

export async function spawnGateway(o: { cwd: string; store: string; brokerPort: number; caPath: string }): Promise<GatewayProcess> {
  // node --import tsx rather than node_modules/.bin/tsx: tsx's launcher would run the gateway in a
  // grandchild, and its /proc figures would be the launcher's.
  // SIGUSR2 runs a full GC: RSS compared before and after devices must not depend on when V8
  // last collected (start-up garbage stays uncollected for ~8 s when the gateway is idle).
  const args = ['--expose-gc', '--import', GC_ON_SIGUSR2, '--import', 'tsx', join(o.cwd, 'tools/cli.ts'), 'gateway', '--bind', '127.0.0.1', '--port', '0'];
  args.push('--store', o.store, '--endpoint', '127.0.0.1', '--aws-port', String(o.brokerPort), '--ca', o.caPath);
  const child = spawn(process.execPath, args, { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const problems: string[] = [];
  const tail: string[] = [];
  let portSeen: ((port: number) => void) | undefined;
  const note = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    const m = /listening on 127\.0\.0\.1:([0-9]+)/.exec(line);
    if (m) portSeen?.(Number(m[1]));
    else if (PROBLEM.test(line)) problems.push(line);
  };
  createInterface({ input: child.stdout }).on('line', note);
  createInterface({ input: child.stderr }).on('line', note);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await Promise.race([
      new Promise<number>((resolve) => (portSeen = resolve)),
      exited.then(() => Promise.reject(new Error(`the gateway exited before listening:\n${tail.join('\n')}`))),
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the gateway did not report its port within 30 s:\n${tail.join('\n')}`)), 30000);
      }),
    ]);
    const pid = child.pid!;
    const statsAfterGc = async () => {
      child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 500)); // the GC, then V8 returning freed pages
      return readProcStats(pid);
    };
    return { pid, port, stats: () => readProcStats(pid), statsAfterGc, takeProblems: () => problems.splice(0), stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
