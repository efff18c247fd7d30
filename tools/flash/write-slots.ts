// The A/B layout npm run flash leaves on a board: the firmware in slot fw.a, the update receiver
// ota.js, a fresh boot log naming slot a as proven, and no other slot or staged update. Each file is
// verified by CRC as it is written; the loader itself goes to .bootcde through the Espruino CLI
// (run.ts). It does not decide what to flash.
import { jsString, type ConsoleClient } from '../device/console-client';
import { createStorageWriter } from '../device/storage-writer';
import { stopProgram } from '../provision/device-update';
import { LOG_BYTES, LOG_FILE } from '../../firmware/ota/boot-log';

/** What goes into a slot file: a newline, then the bundle (the receiver pre-sizes a slot by writing that newline). */
export const slotFile = (bundle: Buffer): Buffer => Buffer.concat([Buffer.from('\n'), bundle]);

/** A boot log holding only its header: slot a is the proven one, nothing on trial. */
export const freshLog = (): Buffer => Buffer.concat([Buffer.from('a'), Buffer.alloc(LOG_BYTES - 1, 0xff)]);

export async function writeSlots(client: ConsoleClient, bundle: Buffer, receiver: Buffer, onProgress?: (bytes: number) => void, timeoutMs?: number): Promise<void> {
  await stopProgram(client);
  const writer = createStorageWriter(client, { timeoutMs });
  writer.install();
  // The old slots go first: whatever the board ran before, slot a is what boots from now on.
  await client.exchange(`var S=require("Storage");${['fw.b', 'ota.new', LOG_FILE].map((n) => `S.erase(${jsString(n)})`).join(';')};print("\\x02~ok\\x03")`, 1, { timeoutMs });
  await writer.write('fw.a', slotFile(bundle), onProgress);
  await writer.write('ota.js', receiver);
  await writer.write(LOG_FILE, freshLog());
}
