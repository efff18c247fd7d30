// Reads a device's config.json (or config.bak) for provision and doctor: masked on the device's
// console (readStorageFile), and its secrets registered with the logger before anything could print them.
import type { Logger } from '../shared/log';
import type { ConsoleClient } from './console-client';
import { readStorageFile } from './storage-writer';

/** The file's text ('' when it is missing). A file that is not JSON is returned as it is, for the caller to report. */
export async function readDeviceConfig(client: ConsoleClient, name: string, log: Logger): Promise<string> {
  const text = (await readStorageFile(client, name))?.toString('utf8') ?? '';
  try {
    const c = JSON.parse(text) as { wifi?: { password?: unknown }; mqtt?: { password?: unknown }; gateway?: { secret?: unknown } } | null;
    for (const v of [c?.wifi?.password, c?.mqtt?.password, c?.gateway?.secret]) if (typeof v === 'string') log.addSecret(v);
  } catch {
    // not JSON: nothing to register
  }
  return text;
}
