// provision --enrol-file: the device's gateway enrolment written to a file (mode 0600), sealed to
// a gateway on another computer, instead of into this computer's gateway store. Checked before
// the device is touched and sealed before it is written to; the file is written only once the
// device's new config verified.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../shared/errors';
import { writeAtomic } from '../shared/write-atomic';
import { sealEnrolment, type Enrolment } from '../shared/enrolment-file';

export function checkEnrolFile(cwd: string, file: string): void {
  const path = resolve(cwd, file);
  if (existsSync(path)) throw new UserError(`${file} already exists: give another --enrol-file name, or delete it if it was imported.`, 'enrol-file-exists');
  if (!existsSync(dirname(path))) throw new UserError(`The folder of --enrol-file ${file} does not exist: create it or choose another path.`, 'enrol-file-exists');
}

/** Seals now (before the device is written, so a failure here changes nothing); returns the writer. */
export function prepareEnrolFile(cwd: string, file: string, gatewayKey: string, e: Enrolment): () => void {
  const text = sealEnrolment(e, gatewayKey);
  return () => writeAtomic(resolve(cwd, file), text, 0o600);
}
