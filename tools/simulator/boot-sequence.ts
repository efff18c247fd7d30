// The order Espruino 2v29 runs things at power-on, reset(), load() and load(file): saved state,
// .bootPowerOn, .boot0-3, .bootrst/.bootcde, E.on('init') and onInit, then the banner if echo is
// still on (jsinteractive.c jsiSemiInit/jsiSoftInit, jsflash.c jsfLoadBootCodeFromFlash). It runs nothing itself.
import type { BoardProfile } from './boards';
import type { StorageFs } from './storage-fs';

export type StartMode = 'boot' | 'reset' | 'load' | 'loadFile';

export interface BootContext {
  board: BoardProfile;
  fs: StorageFs;
  print(text: string): void;
  /** Runs a Storage file's code, if the file exists. */
  runFile(name: string, filename?: string): void;
  /** E.on('init') handlers, then onInit() if defined. */
  fireInit(): void;
  /** False while echo(0) is in force (jsiEcho). */
  echo(): boolean;
}

const BANNER =
  '\n' +
  ' ____                 _ \n' +
  '|  __|___ ___ ___ _ _|_|___ ___ \n' +
  '|  __|_ -| . |  _| | | |   | . |\n' +
  '|____|___|  _|_| |___|_|_|_|___|\n' +
  '         |_| espruino.com\n' +
  ' %V (c) %Y G.Williams\n\n' +
  'Espruino is Open Source. Our work is supported\n' +
  'only by sales of official boards and donations:\n' +
  'http://espruino.com/Donate\n';

function banner(c: BootContext): void {
  // a board's banner first turns the terminal's line wrap off; the Linux build's does not
  c.print((c.board.linuxBuild ? '' : '\x1b[?7l') + BANNER.replace('%V', c.board.version).replace('%Y', String(c.board.copyrightYear ?? 2025)));
  // ESP8266 user_main.c jshPrintBanner
  if (c.board.name === 'esp8266' && !c.board.linuxBuild) c.print('Flash map 4MB:1024/1024, manuf 0xef chip 0x4016\n');
}

/** jsiSoftInit: boot files, then init handlers. After reset() only .bootrst runs, not .bootcde. */
function softInit(c: BootContext, isReset: boolean, firstBoot: boolean): void {
  if (firstBoot) c.runFile('.bootPowerOn');
  for (let i = 0; i < 4; i++) c.runFile(`.boot${i}`);
  if (c.fs.find('.bootrst')) c.runFile('.bootrst', 'boot code');
  else if (!isReset) c.runFile('.bootcde', 'boot code');
  c.fireInit();
}

/**
 * jsiSemiInit: after the soft init, and only while echo is on (boot code or init handlers may have
 * called echo(0)), the banner (not at power-on when flash held code to load), then a new line.
 */
function greet(c: BootContext, withBanner: boolean): void {
  if (!c.echo()) return;
  if (withBanner) banner(c);
  c.print('\n');
}

export function runBootSequence(mode: StartMode, file: string | undefined, c: BootContext): void {
  if (mode === 'boot') {
    const hasCode = ['.bootcde', '.bootrst', '.varimg'].some((f) => c.fs.find(f));
    c.runFile('.varimg', 'saved state');
    softInit(c, false, true);
    greet(c, !hasCode);
  } else if (mode === 'reset') {
    softInit(c, true, false);
    greet(c, true);
  } else if (mode === 'load') {
    // load() without a file: jsfLoadStateFromFlash + jsiSoftInit, no banner
    c.runFile('.varimg', 'saved state');
    softInit(c, false, false);
  } else {
    softInit(c, true, false);
    greet(c, true);
    if (file) c.runFile(file);
  }
}
