// The order of writes that keeps a working identity on the device at every moment: stop the
// program, write the new (content-addressed) DER files and verify each, write config.bak and only
// if it verifies config.json, then erase what the old config named and load() the program again.
// Power loss at any step leaves either the old config.json with its intact files, or config.bak
// with its verified files (the firmware reads config.bak when config.json is missing or unparseable).
import { isUserError } from '../shared/errors';
import type { ConsoleClient } from '../device/console-client';
import type { Progress } from '../device/progress';
import { createStorageWriter } from '../device/storage-writer';
import { jsString } from '../device/console-client';
import { CONFIG_BACKUP, CONFIG_FILE, type StorageFile } from './storage-plan';

export interface UpdatePlan {
  /** New DER files (none in gateway mode). */
  files: StorageFile[];
  /** config.json's new bytes; also written to config.bak first. */
  config: Buffer;
  /** Old files to erase once config.json names the new ones. */
  erase: string[];
}

export interface UpdateOptions {
  progress: Progress;
  chunkBytes?: number;
  timeoutMs?: number;
  /** Runs after config.json verified, before load(): the host-side half of the switch. */
  afterConfig?: () => void | Promise<void>;
}

/** Sets a marker global, then reset(), which clears every global. */
export const STOP_PROGRAM = 'global.__pv=1;reset()';
/** A boolean, not `global.__pv`: Espruino's JSON.stringify(undefined) is "null", never undefined. */
export const PROGRAM_STOPPED = '"__pv" in global';

/**
 * reset() stops the program (and frees its RAM for long lines); it happens after the line that
 * asks for it, maybe after later lines already received, so poll until a marker global is gone.
 */
export async function stopProgram(client: ConsoleClient): Promise<void> {
  client.send(STOP_PROGRAM);
  for (let i = 0; i < 20; i++) {
    if ((await client.evaluate(PROGRAM_STOPPED)) === false) return;
  }
  throw new Error('bug: the device did not reset() after 20 round trips');
}

export async function applyUpdate(client: ConsoleClient, plan: UpdatePlan, o: UpdateOptions): Promise<void> {
  // With the program stopped, RAM allows lines of 3 KB: small DER files travel two to a line.
  const writer = createStorageWriter(client, { chunkBytes: o.chunkBytes, lineChars: 3072, timeoutMs: o.timeoutMs });
  const progress = (n: number) => o.progress.add(n);
  await stopProgram(client);
  try {
    writer.install();
    await writer.writeFiles(plan.files, progress);
    // The device erases the old files itself, and only once both config files verified.
    const erase = plan.erase.length ? `var S=require("Storage");${plan.erase.map((n) => `S.erase(${jsString(n)})`).join(';')}` : '';
    if (!o.afterConfig) {
      // Nothing left for the host to do: load() rides on the same line, saving a round trip.
      await writer.writeBackupThenMain(CONFIG_BACKUP, CONFIG_FILE, plan.config, progress, { then: erase, after: 'load()' });
      return;
    }
    await writer.writeBackupThenMain(CONFIG_BACKUP, CONFIG_FILE, plan.config, progress, { then: erase });
    await o.afterConfig();
    await client.exchange('print("\\x02~done\\x03");load()', 1, { timeoutMs: o.timeoutMs });
  } catch (e) {
    // Restart the program on whichever config is in place (old, or new and verified), if we still can.
    if (!(isUserError(e) && e.anchor === 'device-disconnected')) {
      try {
        client.send('load()');
      } catch {
        // the link is gone; a power cycle restarts it
      }
    }
    throw e;
  }
}
