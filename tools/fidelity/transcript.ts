// The recorded transcript file: where and when it was recorded, and for every probe the bytes typed
// and the exact bytes the console printed (latin1, one char a byte). Reading checks its shape.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../shared/errors';

const step = z.union([z.string(), z.object({ wait: z.number().nonnegative() })]);

const transcriptSchema = z.object({
  /** process.env.BOARD of the console recorded. */
  board: z.string(),
  /** process.env.VERSION exactly as printed (a Linux build says e.g. 2v29.277, a release 2v29). */
  version: z.string(),
  /** True when the console was Espruino's Linux build (no terminal codes or flash map in its banner). */
  linuxBuild: z.boolean(),
  /** The year in the banner's "(c) YEAR G.Williams" (it follows the build, not the version). */
  copyrightYear: z.number().int(),
  recordedAt: z.string(),
  /** What was recorded, in words (board, how it was connected). */
  source: z.string(),
  probes: z.array(z.object({ id: z.string(), steps: z.array(step), output: z.string() })),
});

export type Transcript = z.infer<typeof transcriptSchema>;
export type RecordedProbe = Transcript['probes'][number];

/** Deliberate differences: probe id -> why the simulator answers otherwise. */
const exceptionsSchema = z.record(z.string(), z.string());
export type Exceptions = z.infer<typeof exceptionsSchema>;

export const DEFAULT_TRANSCRIPT = path.join('test', 'fidelity', 'transcripts', 'esp8266-2v29.json');
export const EXCEPTIONS_FILE = path.join('test', 'fidelity', 'exceptions.json');

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`Cannot read the ${what} ${file} (${(e as Error).message}): record it with npm run fidelity -- --record --port PORT.`, 'fidelity-transcript');
  }
}

export function readTranscript(file: string): Transcript {
  const r = transcriptSchema.safeParse(readJson(file, 'fidelity transcript'));
  if (!r.success) throw new UserError(`${file} is not a fidelity transcript (${r.error.issues[0]?.message}): record it again with npm run fidelity -- --record.`, 'fidelity-transcript');
  return r.data;
}

export function readExceptions(file: string): Exceptions {
  if (!fs.existsSync(file)) return {};
  const r = exceptionsSchema.safeParse(readJson(file, 'fidelity exceptions'));
  if (!r.success) throw new UserError(`${file} must map probe ids to reasons: fix it by hand.`, 'fidelity-transcript');
  return r.data;
}

export function writeTranscript(file: string, t: Transcript): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // one probe a line, so a re-recording shows in a diff as the probes that changed
  const body = t.probes.map((p) => '    ' + JSON.stringify(p)).join(',\n');
  const { probes: _probes, ...meta } = t;
  const head = JSON.stringify(meta, null, 2).replace(/\n}$/, ',\n  "probes": [\n');
  fs.writeFileSync(file, head + body + '\n  ]\n}\n');
}
