// The project's own folder (firmware/, config/, certs/, dist/), found from this file rather than
// from the working directory, so `build` and `start` work wherever they are run from.
import * as path from 'path';

export const projectDir = path.resolve(__dirname, '..', '..');
