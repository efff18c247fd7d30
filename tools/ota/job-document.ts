// The AWS IoT job document of a firmware update, written by `npm run update` and read by whoever
// executes the job (the gateway for its devices, the update command for direct-TLS boards). The
// bundle travels inline: it is ASCII (the build makes it so) and the bundle budget (20,480 bytes)
// keeps the document under AWS's 32 KB limit, so no S3 bucket or presigned URL is needed. It does
// not authenticate the bundle: the device checks the HMAC (gateway) or trusts AWS's policy (direct).
import { z } from 'zod';
import { crc32 } from '../device/crc32';

/** The job document's `operation`: other jobs in the same account are not ours to execute. */
export const FIRMWARE_UPDATE_OPERATION = 'espruino-button-firmware-update';

/** AWS IoT's limit on a job document (CreateJob `document`), in bytes of UTF-8. */
export const JOB_DOCUMENT_LIMIT = 32 * 1024;

export interface FirmwareJob {
  version: string;
  bundle: Buffer;
  allowDowngrade: boolean;
}

const documentSchema = z.object({
  operation: z.literal(FIRMWARE_UPDATE_OPERATION),
  version: z.string().regex(/^\d+\.\d+\.\d+/, 'version must look like 1.2.3'),
  length: z.number().int().positive(),
  crc32: z.number().int().nonnegative(),
  allowDowngrade: z.boolean().optional(),
  bundle: z.string().min(1),
});

/** The document's JSON text; throws when it would exceed AWS's limit (the caller says what to do). */
export function makeJobDocument(job: FirmwareJob): string {
  const text = JSON.stringify({
    operation: FIRMWARE_UPDATE_OPERATION,
    version: job.version,
    length: job.bundle.length,
    crc32: crc32(job.bundle),
    ...(job.allowDowngrade ? { allowDowngrade: true } : {}),
    bundle: job.bundle.toString('latin1'),
  });
  const size = Buffer.byteLength(text, 'utf8');
  if (size > JOB_DOCUMENT_LIMIT) throw new Error(`the job document would be ${size} bytes, over AWS IoT's ${JOB_DOCUMENT_LIMIT}-byte limit`);
  return text;
}

export type ReadJob = { ok: true; job: FirmwareJob } | { ok: false; why: string };

/**
 * Reads a job document (text, or the object AWS hands an executor in `execution.jobDocument`).
 * `ok: false` with a reason for a job that is not ours or is damaged: its executor reports
 * REJECTED with that reason instead of touching the device.
 */
export function readJobDocument(doc: unknown): ReadJob {
  let value = doc;
  if (typeof doc === 'string') {
    try {
      value = JSON.parse(doc);
    } catch {
      return { ok: false, why: 'the job document is not JSON' };
    }
  }
  if (typeof value === 'object' && value !== null && (value as { operation?: unknown }).operation !== FIRMWARE_UPDATE_OPERATION) {
    return { ok: false, why: `not a firmware update (operation is not "${FIRMWARE_UPDATE_OPERATION}")` };
  }
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, why: `the job document is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const d = parsed.data;
  const bundle = Buffer.from(d.bundle, 'latin1');
  if (bundle.length !== d.length) return { ok: false, why: `the bundle is ${bundle.length} bytes, the document says ${d.length}` };
  if (crc32(bundle) !== d.crc32) return { ok: false, why: 'the bundle does not match its CRC-32' };
  return { ok: true, job: { version: d.version, bundle, allowDowngrade: d.allowDowngrade === true } };
}
