// Writes a file so that a crash leaves either the old or the new one, never a torn one, with an
// exact mode (secrets 0600): a temporary file is written, synced and renamed over the target.
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export function writeAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode); // the mode above is filtered by the umask
  renameSync(tmp, path);
}
