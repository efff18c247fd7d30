// The names the firmware's top-level code must never take. The bundle runs unwrapped (see
// build-firmware.ts), so its top-level functions and variables are globals on the device, next to
// Espruino's own. esbuild's minifier never picks a name that the code uses as a free global, even
// in dead code, so build-firmware appends `if (0) { D0; E; ... }` to the entry: it costs no byte of
// output and keeps every short name below out of the minifier's hands. The gate checks the result.

import * as fs from 'fs';
import * as path from 'path';
import type { Node } from 'acorn';
import type { EspruinoProblem } from './espruino-problem';
import { patternNames } from './espruino-scope';

type AnyNode = Node & Record<string, any>;

/**
 * Globals of Espruino 2v29's ESP8266 build that @types/espruino does not declare: the language's
 * own, `require`, pins past D9 (too long for a minified name, listed to be sure); and single
 * letters people type at the console (`for (i = 0; ...)`, `x = ...`), since a console line that
 * assigns one would replace a firmware function. The other letters stay available: reserving all
 * 26 costs about 270 bytes of bundle.
 */
const extraNames = [
  'require', 'global', 'console', 'process', 'setTimeout', 'setInterval', 'Object', 'Array', 'String', 'Number', 'Boolean',
  'Function', 'RegExp', 'Math', 'JSON', 'Date', 'Promise', 'Error', 'TypeError', 'SyntaxError', 'ReferenceError',
  'InternalError', 'ArrayBuffer', 'Uint8Array', 'isFinite', 'NaN', 'Infinity', 'undefined', 'Pin',
  'A0', 'D10', 'D11', 'D12', 'D13', 'D14', 'D15', 'D16', 'NodeMCU', 'ESP8266',
  'i', 'j', 'k', 'x', 'y',
];

const identifier = /^[A-Za-z_$][\w$]*$/;
const keywords = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await']);

/** Espruino's global names from @types/espruino's `declare` lines, plus extraNames. Sorted, no duplicates. */
export function espruinoGlobalNames(): string[] {
  const typesFile = path.join(path.dirname(require.resolve('@types/espruino/package.json')), 'index.d.ts');
  const declared = [...fs.readFileSync(typesFile, 'utf8').matchAll(/^declare (?:function|const|let|var|class|namespace) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
  return [...new Set([...declared, ...extraNames])].filter((n) => identifier.test(n) && !keywords.has(n)).sort();
}

/** The dead code that reserves `names`: valid in any module, printed as nothing by esbuild. */
export function reservingBlock(names: string[]): string {
  return `\n;if (0) { ${names.join('; ')}; }\n`;
}

/**
 * Top-level declarations of the parsed bundle that would replace one of Espruino's globals
 * (`var E=...`), as gate problems. The reserving block makes esbuild avoid them; this proves it did.
 */
export function findGlobalClashes(program: Node, names: string[]): EspruinoProblem[] {
  const reserved = new Set(names);
  const out: EspruinoProblem[] = [];
  const clash = (name: string, at: { line: number; column: number }) => {
    if (reserved.has(name))
      out.push({
        construct: `top-level ${name}`,
        message: `the bundle's top-level names are globals on the device, and this one would replace Espruino's ${name}: ` +
          'rename it, or report a build bug if esbuild chose it',
        line: at.line,
        column: at.column,
      });
  };
  for (const node of (program as AnyNode).body as AnyNode[]) {
    if ((node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') && node.id) clash(node.id.name, node.id.loc.start);
    if (node.type === 'VariableDeclaration') for (const d of node.declarations) for (const n of patternNames(d.id)) clash(n, d.id.loc.start);
  }
  return out;
}
