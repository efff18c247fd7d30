// The offline board description the Espruino CLI gets instead of downloading one: config/boards/<BOARD>.json,
// which lists the modules built into that firmware. It does not write or fetch board files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors';

export const BOARDS_DIR = join('config', 'boards');

/** The path of config/boards/<board>.json under cwd, or undefined when there is none. */
export function findBoardJson(cwd: string, board: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(board)) return undefined;
  const path = join(cwd, BOARDS_DIR, `${board}.json`);
  return existsSync(path) ? path : undefined;
}

export function requireBoardJson(cwd: string, board: string): string {
  const path = findBoardJson(cwd, board);
  if (path) return path;
  throw new UserError(
    `There is no offline board description for ${board} in ${BOARDS_DIR}/: use a board this project supports (ESP8266_4MB or ESP32), or add ${BOARDS_DIR}/${board}.json from espruino.com/json/${board}.json.`,
    'board-unknown',
  );
}
