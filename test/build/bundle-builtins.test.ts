// The firmware bundle runs no regular expression and no Number method: on Espruino 2v29 the first
// one run keeps the RegExp (or Number) class in the root for good, 8 JsVars each (firmware/MEMORY.md).
// String scans and hex digits by hand do the same work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { buildFirmware } from '../../tools/build/build-firmware';

test('the firmware bundle has no regular expression literal, never names RegExp and calls no Number method', async () => {
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
      // toString with a radix, toFixed, toPrecision: Number.prototype's (a string's toString takes none).
      CallExpression(n) {
        const c = n as unknown as { callee: { type: string; object?: { name?: string }; property?: { name?: string } }; arguments: unknown[] };
        // E.toString(bytes) is Espruino's own, not a Number method.
        const m = c.callee.type === 'MemberExpression' && c.callee.object?.name !== 'E' ? c.callee.property?.name : undefined;
        if ((m === 'toString' && c.arguments.length > 0) || m === 'toFixed' || m === 'toPrecision') found.push(`.${m}(...)`);
      },
    });
    expect(found).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30000);
