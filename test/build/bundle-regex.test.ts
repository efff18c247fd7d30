// The firmware bundle runs no regular expression: on Espruino 2v29 the first one run keeps the
// RegExp class in the root for good, 8 JsVars (firmware/MEMORY.md). String scans do the same work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { buildFirmware } from '../../tools/build/build-firmware';

test('the firmware bundle has no regular expression literal and never names RegExp', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-regex-'));
  try {
    const outFile = path.join(dir, 'firmware.js');
    await buildFirmware({ cwd: path.resolve(__dirname, '../..'), outFile, log: () => {} });
    const code = fs.readFileSync(outFile, 'utf8');
    const found: string[] = [];
    simple(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), {
      Literal(n) {
        const r = (n as { regex?: { pattern: string } }).regex;
        if (r) found.push(`/${r.pattern}/`);
      },
      Identifier(n) {
        if ((n as { name: string }).name === 'RegExp') found.push('RegExp');
      },
    });
    expect(found).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30000);
