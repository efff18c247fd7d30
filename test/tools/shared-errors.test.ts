// Expected failures print as one sentence plus a docs link; anything else prints as a bug.
// Every anchor the tools use has a heading in docs/errors.md, so no link is dead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, formatError, isUserError, errorLink } from '../../tools/shared/errors';

test('a UserError prints its sentence and the link to its anchor', () => {
  const err = new UserError('Plug the board in.', 'port-none');
  expect(formatError(err)).toBe('Plug the board in.\n  see docs/errors.md#port-none');
  expect(errorLink('port-none')).toBe('see docs/errors.md#port-none');
});

test('a UserError without an anchor prints only its sentence', () => {
  expect(formatError(new UserError('Pass --thing NAME.'))).toBe('Pass --thing NAME.');
});

test('anything else is reported as a bug with its stack', () => {
  const out = formatError(new TypeError('x is undefined'));
  expect(out).toMatch(/^bug: /);
  expect(out).toContain('TypeError: x is undefined');
  expect(formatError('a string')).toMatch(/^bug: [\s\S]*a string/);
});

test('isUserError recognises instances from another copy of the module', () => {
  const foreign = Object.assign(new Error('Do this.'), { isUserError: true, anchor: 'x' });
  expect(isUserError(foreign)).toBe(true);
  expect(isUserError(new Error('no'))).toBe(false);
  expect(isUserError(new UserError('yes.'))).toBe(true);
  expect(new UserError('yes.')).toBeInstanceOf(Error);
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The anchors passed to `new UserError(message, 'anchor')` in a source text. */
function anchorsIn(text: string): string[] {
  return text
    .split('new UserError(')
    .slice(1)
    .map((chunk) => chunk.slice(0, chunk.indexOf(');')))
    .map((call) => /,\s*'([a-z0-9]+(?:-[a-z0-9]+)*)',?\s*\)*\s*$/.exec(call)?.[1])
    .filter((a): a is string => a !== undefined);
}

test('every anchor a tool links to has a heading in docs/errors.md', () => {
  const root = join(__dirname, '..', '..');
  const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const headings = new Set([...doc.matchAll(/^#{2,3} ([a-z0-9-]+)\s*$/gm)].map((m) => m[1]));
  const used = new Map<string, string>();
  for (const file of sources(join(root, 'tools'))) {
    for (const anchor of anchorsIn(readFileSync(file, 'utf8'))) used.set(anchor, file.slice(root.length + 1));
  }
  expect(used.size).toBeGreaterThan(30);
  const missing = [...used].filter(([a]) => !headings.has(a)).map(([a, file]) => `${a} (${file})`);
  expect(missing).toEqual([]);
});

test('the anchor scan finds anchors in one-line, multi-line and nested calls', () => {
  const src = "throw new UserError(`a ${b}.`, 'one-line');\nthrow new UserError(\n  'x, y.',\n  'multi-line',\n);\nthrow new UserError('no anchor.');\nreject(new UserError(`in ${x}.`, 'nested-call'));";
  expect(anchorsIn(src)).toEqual(['one-line', 'multi-line', 'nested-call']);
});
