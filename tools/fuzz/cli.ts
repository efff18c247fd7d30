#!/usr/bin/env node
// `npm run fuzz -- --cases N`: fuzzes the device's MQTT decoding and the gateway's auth parsers in
// child processes (one per --jobs), watched for hangs and memory growth, printing cases per second.
// Exit 0 when every case passed; 1 with the failing seeds (or the hung case range) otherwise.
// It does not fuzz over sockets: that is test/fuzz/garbage-clients.test.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { runCase, runFuzz, TARGETS, type FuzzFailure, type FuzzOptions, type FuzzResult, type TargetName } from './run-fuzz';

interface Options {
  cases: number;
  seed: number;
  target: string;
  jobs: number;
  hangMs: number;
  maxHeapMb: number;
  json: boolean;
  replay?: number;
}

type ChildMessage = { progress: number } | { result: FuzzResult };

const int = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer of at least ${min}.`);
  return n;
};

function targetsOf(name: string): TargetName[] {
  if (name === 'all') return Object.keys(TARGETS) as TargetName[];
  if (name in TARGETS) return [name as TargetName];
  throw new InvalidArgumentError(`use ${Object.keys(TARGETS).join(', ')} or all.`);
}

/** One child: a share of the cases, reporting progress so the parent can tell a hang. */
function child(o: FuzzOptions): void {
  const send = (m: ChildMessage) => process.send!(m);
  // The loop never yields to the event loop, so a 'disconnect' would never be seen: notice a
  // parent that is gone (killed, not Ctrl-C'd with its group) by being re-parented, and stop.
  const parent = process.ppid;
  const result = runFuzz({
    ...o,
    onProgress: (done) => {
      if (process.ppid !== parent) process.exit(3);
      send({ progress: done });
    },
  });
  process.send!({ result } satisfies ChildMessage, () => process.exit(0));
}

function describeFailure(f: FuzzFailure): string {
  return `  ${f.target}/${f.kind} seed ${f.seed}: ${f.problem.split('\n')[0]}\n    input ${JSON.stringify(f.input).slice(0, 400)}\n    replay: npm run fuzz -- --target ${f.target} --replay ${f.seed}`;
}

async function main(o: Options): Promise<number> {
  const targets = targetsOf(o.target);
  if (o.replay !== undefined) {
    if (targets.length !== 1) throw new InvalidArgumentError('--replay needs one --target.');
    const r = runCase(targets[0], o.replay);
    console.log(JSON.stringify(r, null, 2));
    return r.ok ? 0 : 1;
  }
  const t0 = Date.now();
  const jobs = Math.min(o.jobs, o.cases);
  const done = new Array<number>(jobs).fill(0);
  const results: FuzzResult[] = [];
  const problems: string[] = [];
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill('SIGKILL');
      process.exit(130);
    });
  }
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');
  log(`fuzzing ${o.cases} cases (${targets.join(', ')}), seed ${o.seed}, ${jobs} job(s)`);

  await Promise.all(
    Array.from({ length: jobs }, (_, j) => {
      const opts: FuzzOptions = { cases: o.cases, seed: o.seed, targets, first: j, step: jobs };
      // --expose-gc: heap samples after a collection measure what is kept, not what is garbage.
      const c = fork(self, ['--child', JSON.stringify(opts)], { execArgv: [...process.execArgv, '--expose-gc'] });
      children.push(c);
      let last = Date.now();
      return new Promise<void>((resolve) => {
        const watch = setInterval(() => {
          if (Date.now() - last <= o.hangMs) return;
          const from = j + done[j] * jobs;
          problems.push(`job ${j} made no progress for ${o.hangMs} ms: a hang in cases ${from}..${from + 5000 * jobs} (seed ${o.seed}); replay them with --cases and --jobs 1`);
          c.kill('SIGKILL');
        }, 500);
        c.on('message', (m: ChildMessage) => {
          last = Date.now();
          if ('progress' in m) done[j] = m.progress;
          else results.push(m.result);
        });
        c.on('exit', (code, signal) => {
          clearInterval(watch);
          if (code !== 0 && signal !== 'SIGKILL') problems.push(`job ${j} died (${signal ?? `exit ${code}`}): an uncaught exception or out of memory`);
          resolve();
        });
      });
    }).concat([
      (async () => {
        // Progress about every 5 s, for long runs.
        let shown = Date.now();
        while (children.some((c) => c.exitCode === null && c.signalCode === null)) {
          await new Promise((r) => setTimeout(r, 100));
          if (Date.now() - shown < 5000) continue;
          shown = Date.now();
          const n = done.reduce((a, b) => a + b, 0);
          if (n) log(`  ${n} cases, ${Math.round(n / ((Date.now() - t0) / 1000))}/s`);
        }
      })(),
    ]),
  );

  const cases = results.reduce((a, r) => a + r.cases, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const secs = (Date.now() - t0) / 1000;
  const rate = Math.round(cases / secs);
  const kinds: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  const heapGrowth = Math.max(0, ...results.map((r) => r.heapEndMB - r.heapWarmMB));
  const heapMax = Math.max(0, ...results.map((r) => r.heapMaxMB));
  if (heapMax > o.maxHeapMb) problems.push(`heap reached ${heapMax.toFixed(1)} MB, over the ${o.maxHeapMb} MB bound`);
  if (cases !== o.cases && !problems.length) problems.push(`only ${cases} of ${o.cases} cases ran`);
  const summary = {
    cases,
    failed,
    seconds: Number(secs.toFixed(1)),
    casesPerSecond: rate,
    heapMaxMB: Number(heapMax.toFixed(1)),
    heapGrowthMB: Number(heapGrowth.toFixed(1)),
    kinds,
    problems,
    failures: results.flatMap((r) => r.failures).slice(0, 20),
  };
  if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    log(`${cases} cases in ${secs.toFixed(1)} s: ${rate} cases/s; ${failed} failed; heap at most ${heapMax.toFixed(1)} MB (grew ${heapGrowth.toFixed(1)} MB after warm-up)`);
    log(`  by kind: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    for (const p of problems) log(`problem: ${p}`);
    for (const f of summary.failures) log(describeFailure(f));
  }
  return failed || problems.length ? 1 : 0;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(JSON.parse(argv[1]) as FuzzOptions);
} else {
  const program = new Command()
    .name('npm run fuzz --')
    .description('Fuzz the MQTT decoding of the device and the auth parsers of the gateway with random and mutated input.')
    .option('--cases <n>', 'how many cases', int(1), 100000)
    .option('--seed <n>', 'the run seed; the same seed runs the same cases', int(0), 1)
    .option('--target <name>', `${Object.keys(TARGETS).join(', ')} or all`, 'all')
    .option('--jobs <n>', 'child processes (the cores to use)', int(1), 2)
    .option('--hang-ms <ms>', 'a job silent this long is hung', int(100), 10000)
    .option('--max-heap-mb <mb>', 'fail if a job keeps more heap than this', int(1), 256)
    .option('--replay <seed>', 'run one case by its seed and print it (with one --target)', int(0))
    .option('--json', 'one JSON summary on stdout, progress on stderr', false)
    .showHelpAfterError();
  program.parse(process.argv);
  main(program.opts<Options>()).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof InvalidArgumentError ? `error: ${e.message}` : `fuzz: bug: ${(e as Error)?.stack ?? e}`);
      process.exit(e instanceof InvalidArgumentError ? 1 : 2);
    },
  );
}
