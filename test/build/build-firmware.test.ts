// buildFirmware on small fixture entries: gate problems point at the TypeScript line, a clean bundle
// parses and fits, its top-level names (globals on the device) never take one of Espruino's, and
// esbuild errors and the size budget fail with a readable message.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'acorn';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { buildFirmware, FirmwareBuildError } from '../../tools/build/build-firmware';
import { espruinoGlobalNames, findGlobalClashes } from '../../tools/build/espruino-globals';
import { isUserError } from '../../tools/shared/errors';
import { findEspruinoProblems } from '../../tools/build/espruino-gate';

const repo = path.resolve(__dirname, '../..');
const fixture = (name: string) => `test/build/fixtures/${name}`;
let outDir: string;

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-firmware-'));
});

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
});

async function build(entry: string, extra: { budgetBytes?: number; outName?: string } = {}) {
  const lines: string[] = [];
  const outFile = path.join(outDir, extra.outName ?? `${path.basename(entry, '.ts')}.js`);
  try {
    const result = await buildFirmware({ cwd: repo, entry: path.isAbsolute(entry) ? entry : fixture(entry), outFile, log: (l) => lines.push(l), budgetBytes: extra.budgetBytes });
    return { result, error: null, lines, outFile };
  } catch (error) {
    return { result: null, error: error as FirmwareBuildError, lines, outFile };
  }
}

describe('buildFirmware', () => {
  test('rejects Map and points at the line of the TypeScript file that uses it', async () => {
    const { error, lines } = await build('uses-map.ts');
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect(error!.reason).toBe('gate');
    // A UserError, so every command that builds (build, start, flash, bench) says it in one sentence, exit 1.
    expect(isUserError(error)).toBe(true);
    expect(error!.anchor).toBe('build-rejected');
    expect(error!.message).toMatch(/^Firmware build rejected: 1 construct Espruino 2v29 cannot run/);
    expect(error!.problems).toHaveLength(1);
    expect(error!.problems[0]).toMatchObject({ construct: 'Map', source: { file: fixture('map-registry.ts'), line: 5 } });
    expect(lines).toEqual([expect.stringMatching(/^test\/build\/fixtures\/map-registry\.ts:5:\d+ {2}Map: Espruino has no Map/)]);
  });

  test('removes an old bundle when the build is rejected, so it cannot be flashed by mistake', async () => {
    const outFile = path.join(outDir, 'stale.js');
    fs.writeFileSync(outFile, 'old();');
    fs.writeFileSync(`${outFile}.map`, '{}');
    const { error } = await build('uses-map.ts', { outName: 'stale.js' });
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect(fs.existsSync(outFile)).toBe(false);
    expect(fs.existsSync(`${outFile}.map`)).toBe(false);
  });

  test('builds a clean entry, unwrapped, which parses, and reports its size', async () => {
    const { result, error, lines, outFile } = await build('clean.ts');
    expect(error).toBeNull();
    const code = fs.readFileSync(outFile, 'utf8');
    expect(result).toEqual({ bytes: Buffer.byteLength(code), outFile });
    expect(code.startsWith('(function(){')).toBe(false);
    expect(code.endsWith('\n')).toBe(true);
    expect(() => parse(code, { ecmaVersion: 2015, sourceType: 'script' })).not.toThrow();
    expect(code).toContain('fixture-clean-banner');
    expect(lines).toEqual([`${path.relative(repo, outFile)}: ${result!.bytes} bytes (${Number((result!.bytes / 1024).toFixed(1))} KB) of the 20 KB budget`]);
  });

  test('writes a source map that points at the TypeScript', async () => {
    const { outFile } = await build('clean.ts', { outName: 'mapped.js' });
    const code = fs.readFileSync(outFile, 'utf8');
    const map = new TraceMap(fs.readFileSync(`${outFile}.map`, 'utf8'));
    const before = code.slice(0, code.indexOf('console.log')).split('\n');
    const found = originalPositionFor(map, { line: before.length, column: before[before.length - 1].length });
    expect(found.source).toMatch(/test\/build\/fixtures\/clean\.ts$/);
    expect(found.line).toBe(6);
  });

  test("top-level names never take one of Espruino's globals, however many there are", async () => {
    // 150 top-level functions: esbuild's minifier would hand out every short name, E and D0 included.
    const entry = path.join(outDir, 'many-top-level.ts');
    const fns = Array.from({ length: 150 }, (_, n) => `function fixtureFunction${n}(v: number) { return v + ${n}; }`);
    const calls = Array.from({ length: 150 }, (_, n) => `s += fixtureFunction${n}(${n});`.repeat(1 + (n % 4)));
    fs.writeFileSync(entry, `${fns.join('\n')}\nlet s = 0;\n${calls.join('\n')}\nconsole.log(s);\n`);
    const { error, outFile } = await build(entry, { outName: 'many-top-level.js' });
    expect(error).toBeNull();
    const code = fs.readFileSync(outFile, 'utf8');
    const program = parse(code, { ecmaVersion: 2015, sourceType: 'script' }) as unknown as { body: { type: string; id?: { name: string } }[] };
    const topLevel = program.body.filter((n) => n.type === 'FunctionDeclaration').map((n) => n.id!.name);
    expect(topLevel).toHaveLength(150);
    const reserved = new Set(espruinoGlobalNames());
    expect(topLevel.filter((n) => reserved.has(n))).toEqual([]);
    // Short names are in use, so the reservation did something.
    expect(topLevel.filter((n) => n.length === 1).length).toBeGreaterThan(20);
  });

  test('the reserved names are Espruino\'s: pins, E, and the console\'s favourite loop letters', () => {
    const names = espruinoGlobalNames();
    for (const n of ['E', 'D0', 'D2', 'D16', 'A0', 'setWatch', 'digitalWrite', 'require', 'Serial1', 'i', 'x']) expect(names).toContain(n);
    expect(names).not.toContain('if');
  });

  test('the clash check names a top-level declaration that would replace a global', () => {
    const program = (code: string) => parse(code, { ecmaVersion: 2020, sourceType: 'script', locations: true });
    const found = findGlobalClashes(program('var a=1,E=2;function D0(){}let q=3;\nconst [x]=[1];'), ['E', 'D0', 'x']);
    expect(found.map((p) => [p.construct, p.line])).toEqual([['top-level E', 1], ['top-level D0', 1], ['top-level x', 2]]);
    expect(found[0].message).toMatch(/would replace Espruino's E/);
    expect(findGlobalClashes(program('function f(){var E=1}'), ['E'])).toEqual([]);
    // The gate runs it over the bundle it has parsed anyway.
    expect(findEspruinoProblems('var E=1;', ['E']).map((p) => p.construct)).toEqual(['top-level E']);
  });

  test('fails over the size budget with the size, the budget and the overshoot', async () => {
    const { error, outFile } = await build('clean.ts', { budgetBytes: 100, outName: 'too-big.js' });
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect(error!.reason).toBe('budget');
    expect(error!.message).toMatch(/^Firmware bundle is \d+ bytes \(\d+(\.\d)? KB\), over the 0\.1 KB budget by \d+ bytes: /);
    expect(fs.existsSync(outFile)).toBe(false);
  });

  test('prints what esbuild cannot lower as file:line:col lines and fails', async () => {
    const { error, lines } = await build('destructuring.ts');
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect(error!.reason).toBe('esbuild');
    expect(error!.message).toBe('Firmware build failed: esbuild reported 1 error (listed above).');
    expect(lines).toEqual([expect.stringMatching(/^test\/build\/fixtures\/destructuring\.ts:3:7 {2}Transforming destructuring/)]);
  });

  test('fails readably when the entry does not exist', async () => {
    const { error, lines } = await build('missing.ts');
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect(error!.reason).toBe('esbuild');
    expect(lines.join('\n')).toMatch(/Could not resolve/);
  });
});
