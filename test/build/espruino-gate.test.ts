// The Espruino gate: every construct it claims to reject is rejected with its name and position,
// and code Espruino 2v29 runs (docs/espruino.md "Works") passes untouched.
import { findEspruinoProblems } from '../../tools/build/espruino-gate';
import { missingGlobals } from '../../tools/build/espruino-library';

/** [what, code, construct, line, column (0-based)] */
type Rejected = [string, string, string, number, number];

const syntax: Rejected[] = [
  ['destructuring in a declaration', 'const {a} = o;', 'destructuring', 1, 6],
  ['array destructuring', 'let x;\nvar [b, c] = d;', 'destructuring', 2, 4],
  ['destructuring in parameters', 'function f({a}) { return a; }', 'destructuring', 1, 11],
  ['destructuring in an assignment', '[a, b] = [b, a];', 'destructuring', 1, 0],
  ['destructuring in a catch parameter', 'try { f(); } catch ({message}) { g(message); }', 'destructuring', 1, 20],
  ['destructuring in a for-of head', 'for (const [k, v] of list) g(k, v);', 'destructuring', 1, 11],
  ['array spread', 'const all = [...a, 1];', 'spread', 1, 13],
  ['call spread', 'f(...args);', 'spread', 1, 2],
  ['object spread', 'const o = {...a, b: 1};', 'spread', 1, 11],
  ['a default parameter', 'function f(a, b = 2) { return a + b; }', 'default parameter', 1, 14],
  ['a default parameter on an arrow', 'const f = (a = 1) => a;', 'default parameter', 1, 11],
  ['a rest parameter', 'function f(a, ...rest) { return rest; }', 'rest parameter', 1, 14],
  ['a rest element', 'const [a, ...rest] = list;', 'rest element', 1, 10],
  ['optional chaining', 'const v = a?.b;', 'optional chaining', 1, 10],
  ['an optional call', 'x.f?.();', 'optional chaining', 1, 0],
  ['**', 'const v = 2 ** 8;', 'exponent operator', 1, 10],
  ['**=', 'v **= 2;', 'exponent operator', 1, 0],
  ['??=', 'a ??= 1;', 'logical assignment', 1, 0],
  ['||=', 'a ||= 1;', 'logical assignment', 1, 0],
  ['&&=', 'a &&= 1;', 'logical assignment', 1, 0],
  ['an async function', 'async function f() {}', 'async function', 1, 0],
  ['an async arrow', 'const f = async () => 1;', 'async function', 1, 10],
  ['an async method', 'const o = { async m() {} };', 'async function', 1, 12],
  ['await', 'async function f() {\n  await g();\n}', 'await', 2, 2],
  ['top-level await (module code)', 'await g();', 'await', 1, 0],
  ['a generator', 'function* g() {}', 'generator', 1, 0],
  ['a generator method', 'class A { *items() {} }', 'generator', 1, 10],
  ['yield', 'function* g() { yield 1; }', 'yield', 1, 16],
  ['for await', 'async function f() { for await (const x of xs) g(x); }', 'for await', 1, 21],
  ['a tagged template', 'const s = tag`a${b}`;', 'tagged template', 1, 10],
  ['a computed key in an object', 'const o = { [k]: 1 };', 'computed key', 1, 12],
  ['a computed key in a class', 'class A { [k]() {} }', 'computed key', 1, 10],
  ['a label', 'outer: for (;;) { break outer; }', 'label', 1, 0],
  ['new.target', 'function F() { return new.target; }', 'new.target', 1, 22],
  ['import.meta', 'const u = import.meta.url;', 'import.meta', 1, 10],
  ['dynamic import', 'import("./x").then(f);', 'dynamic import', 1, 0],
  ['module syntax', 'export const x = 1;', 'module syntax', 1, 0],
  ['a BigInt literal', 'const n = 10n;', 'BigInt literal', 1, 10],
  ['a private field', 'class A { #p = 1; }', 'private class member', 1, 10],
  ['a private member access', 'class A { #p = 1; m() { return this.#p; } }', 'private class member', 1, 31],
  ['a private method', 'class A { #m() {} }', 'private class member', 1, 10],
  ['a private `in` check', 'class A { #p = 1; static h(o) { return #p in o; } }', 'private class member', 1, 39],
  ['a class static block', 'class A { static { init(); } }', 'class static block', 1, 10],
  ['a string class member key', 'class A { "m"() {} }', 'class member key', 1, 10],
  ['extends of an expression', 'class A extends mods.B {}', 'class extends expression', 1, 16],
  ['extends Error', 'class Oops extends Error {}', 'class extends Error', 1, 0],
  ['an instance class field', 'class A { items = []; }', 'class instance field', 1, 10],
  ['a static field without value', 'class A { static count; }', 'class field without value', 1, 10],
  ['a with statement', 'with (o) { f(); }', 'with statement', 1, 0],
  ['a member as for-in target', 'for (o.k in src) f();', 'for-in/of target', 1, 5],
  ['a syntax error', 'let x = ;', 'syntax error', 1, 8],
];

const regexes: Rejected[] = [
  ['the ? quantifier', 'const r = /colou?r/;', 'regex ? quantifier', 1, 10],
  ['a non-capturing group', 'const r = /(?:ab)c/;', 'regex non-capturing group', 1, 10],
  ['a lookahead', 'const r = /a(?=b)/;', 'regex lookahead', 1, 10],
  ['a negative lookahead', 'const r = /a(?!b)/;', 'regex lookahead', 1, 10],
  ['a lookbehind', 'const r = /(?<=a)b/;', 'regex lookbehind', 1, 10],
  ['a negative lookbehind', 'const r = /(?<!a)b/;', 'regex lookbehind', 1, 10],
  ['a named group', 'const r = /(?<year>\\d+)/;', 'regex named group', 1, 10],
  ['a {n} quantifier', 'const r = /a{3}/;', 'regex counted quantifier', 1, 10],
  ['a {m,n} quantifier', 'const r = /a{2,4}/;', 'regex counted quantifier', 1, 10],
  ['a {n,} quantifier', 'const r = /a{2,}/;', 'regex counted quantifier', 1, 10],
  ['a lazy *?', 'const r = /<.*?>/;', 'regex lazy quantifier', 1, 10],
  ['a lazy +?', 'const r = /a+?/;', 'regex lazy quantifier', 1, 10],
  ['a lazy ??', 'const r = /a??/;', 'regex lazy quantifier', 1, 10],
  ['\\b', 'const r = /\\bword/;', 'regex word boundary', 1, 10],
  ['\\B', 'const r = /a\\B/;', 'regex word boundary', 1, 10],
  ['a backreference', 'const r = /(a)\\1/;', 'regex backreference', 1, 10],
  ['a \\u escape', 'const r = /\\u0041/;', 'regex escape', 1, 10],
  ['a quantified group', 'const r = /(ab)+/;', 'regex group quantifier', 1, 10],
  ['alternation inside a group', 'const r = /(a|b)c/;', 'regex alternation in group', 1, 10],
  ['an unescaped / in a class', 'const r = /[/]x/;', 'regex / in class', 1, 10],
  ['the m flag', 'const r = /^a$/m;', 'regex flag', 1, 10],
  ['the y flag', 'const r = /a/y;', 'regex flag', 1, 10],
  ['the s flag', 'const r = /a.b/s;', 'regex flag', 1, 10],
  ['the u flag', 'const r = /a/u;', 'regex flag', 1, 10],
  ['new RegExp with a lookahead', 'const r = new RegExp("a(?=b)");', 'regex lookahead', 1, 10],
  ['RegExp() with a counted quantifier', 'const r = RegExp("a{2}", "g");', 'regex counted quantifier', 1, 10],
  ['new RegExp with an unsupported flag', 'const r = new RegExp("a", "s");', 'regex flag', 1, 10],
];

const library: Rejected[] = [
  ['process.exit', 'process.exit(1);', 'process', 1, 0],
  ['process alone', 'const p = process;', 'process', 1, 10],
  ['process.argv', 'f(process.argv);', 'process', 1, 2],
  ['typeof Symbol (esbuild guards)', 'if (typeof Symbol != "undefined") f();', 'Symbol', 1, 11],
  ['Array.from', 'const a = Array.from(s);', 'Array.from', 1, 10],
  ['Array.of', 'const a = Array.of(1);', 'Array.of', 1, 10],
  ['Object.freeze', 'Object.freeze(o);', 'Object.freeze', 1, 0],
  ['Object.getOwnPropertySymbols (esbuild spread helper)', 'var s = Object.getOwnPropertySymbols;', 'Object.getOwnPropertySymbols', 1, 8],
  ['Number.isInteger', 'if (Number.isInteger(n)) f();', 'Number.isInteger', 1, 4],
  ['Number.EPSILON', 'const e = Number.EPSILON;', 'Number.EPSILON', 1, 10],
  ['Math.trunc', 'const t = Math.trunc(x);', 'Math.trunc', 1, 10],
  ['Promise.race', 'Promise.race([a, b]);', 'Promise.race', 1, 0],
  ['Promise.allSettled', 'Promise.allSettled([a]);', 'Promise.allSettled', 1, 0],
  ['Promise.any', 'Promise.any([a]);', 'Promise.any', 1, 0],
  ['String.raw', 'const s = String.raw("x");', 'String.raw', 1, 10],
  ['Date.UTC', 'const t = Date.UTC(2024, 0);', 'Date.UTC', 1, 10],
  ['.finally()', 'p.then(f).finally(g);', '.finally()', 1, 0],
  ['.flat()', 'const f = a.flat();', '.flat()', 1, 10],
  ['.flatMap()', 'const f = a.flatMap(g);', '.flatMap()', 1, 10],
  ['.at()', 'const last = a.at(-1);', '.at()', 1, 13],
  ['.findLast()', 'const x = a.findLast(f);', '.findLast()', 1, 10],
  ['.trimEnd()', 'const x = s.trimEnd();', '.trimEnd()', 1, 10],
  ['indexOf with a multi-char needle', 'const i = s.indexOf("cd");', 'multi-char .indexOf', 1, 10],
  ['includes with a multi-char needle', 'if (s.includes("ab")) f();', 'multi-char .includes', 1, 4],
  ['replace with a multi-char needle', 'const t = s.replace("ab", "x");', 'multi-char .replace', 1, 10],
  ['replaceAll with a multi-char needle', 'const t = s.replaceAll("ab", "x");', 'multi-char .replaceAll', 1, 10],
  ['indexOf with a template needle', 'const i = s.indexOf(`ab`, 2);', 'multi-char .indexOf', 1, 10],
];

const traps: Rejected[] = [
  ['a call before the function declaration', 'start();\nfunction start() {}', 'use before declaration', 1, 0],
  ['a call before a declaration in a function body', 'function main() {\n  if (x) go();\n  function go() {}\n}', 'use before declaration', 2, 9],
  ['a closure over a for-let variable', 'for (let i = 0; i < 3; i++) setTimeout(() => log(i), 0);', 'closure over loop variable', 1, 49],
  ['a closure over a for-of const', 'for (const p of pins) p.on(function () { use(p); });', 'closure over loop variable', 1, 45],
];

function expectProblem(code: string, construct: string, line: number, column: number): void {
  expect(findEspruinoProblems(code)).toContainEqual(expect.objectContaining({ construct, line, column }));
}

describe('the gate rejects syntax Espruino 2v29 cannot run', () => {
  test.each(syntax)('%s', (_what, code, construct, line, column) => expectProblem(code, construct, line, column));
});

describe('the gate rejects regular expressions Espruino matches wrongly', () => {
  test.each(regexes)('%s', (_what, code, construct, line, column) => expectProblem(code, construct, line, column));
});

describe('the gate rejects library calls Espruino lacks or gets wrong', () => {
  test.each(Object.keys(missingGlobals).filter((n) => n !== 'process'))('free global %s', (name) => {
    expectProblem(`let x = 1;\nconst v = ${name};`, name, 2, 10);
  });
  test.each(library)('%s', (_what, code, construct, line, column) => expectProblem(code, construct, line, column));
});

describe('the gate rejects code that parses on Espruino and then misbehaves', () => {
  test.each(traps)('%s', (_what, code, construct, line, column) => expectProblem(code, construct, line, column));
});

describe('the gate reports', () => {
  test('each problem with a message that says what to do instead', () => {
    const [p] = findEspruinoProblems('const m = new Map();');
    expect(p).toEqual({ construct: 'Map', line: 1, column: 14, message: expect.stringMatching(/plain object/) });
  });

  test('a nested destructuring once, at the outer pattern', () => {
    expect(findEspruinoProblems('const {a: [b, {c}]} = o;').map((p) => p.construct)).toEqual(['destructuring']);
  });

  test('problems in source order', () => {
    const found = findEspruinoProblems('const s = new Set();\nlet m = new Map(); const v = a ** 2;');
    expect(found.map((p) => [p.construct, p.line])).toEqual([['Set', 1], ['Map', 2], ['exponent operator', 2]]);
  });
});

const allowed: [string, string][] = [
  ['arrow functions', 'const add = (a, b) => a + b; const id = x => { return x; };'],
  ['classes with constructors, getters, setters, static methods and static fields', `
    class Led { constructor(pin) { this.pin = pin; } get on() { return this.v; } set on(v) { this.v = v; }
      static create(p) { return new Led(p); } static count = 0; }
    class Blink extends Led { constructor(p) { super(p); } }`],
  ['template literals', 'const s = `id=${id} n=${n + 1}`;'],
  ['let, const and blocks', 'let a = 1; { const a = 2; f(a); } f(a);'],
  ['for..of without closures', 'for (const x of list) total += x; for (let i = 0; i < 3; i++) out.push(i);'],
  ['?? and shorthand properties and methods', 'const v = a ?? 1; const o = { v, m() { return v; }, get g() { return 1; } };'],
  ['catch without a binding', 'try { f(); } catch { g(); }'],
  ['Promise then/catch, all, resolve, reject', 'Promise.all([Promise.resolve(1), Promise.reject(e)]).then(f).catch(g); new Promise((res) => res(1));'],
  ['Object.assign, entries, keys, values, fromEntries, defineProperty', 'Object.assign({}, a); Object.entries(o); Object.keys(o); Object.values(o); Object.fromEntries(p); Object.defineProperty(o, "k", {});'],
  ['Math, JSON, Number and String statics that exist', 'Math.floor(Math.pow(2, 3) * Math.random()); JSON.parse(JSON.stringify(o)); Number.MAX_VALUE; String.fromCharCode(65); Array.isArray(a); Date.now();'],
  ['prototype access on built-ins', 'Object.prototype.hasOwnProperty.call(o, "k"); Array.prototype.slice.call(arguments);'],
  ['single-char and variable needles', 'if (s.includes(",")) f(s.indexOf("a"), s.indexOf(needle), s.replace("x", "y"), s.replace(/ab/g, ""), a.includes(v));'],
  ['searches that 2v29 gets right', 's.startsWith("ab"); s.endsWith("cd"); s.lastIndexOf("ab"); s.split("ab"); s.padStart(4, "0"); s.padEnd(4); s.repeat(2);'],
  ['regexes Espruino supports', 'const r = [/^a[0-9]+$/, /\\d+/g, /[a-z]*x/i, /a|b/, /\\x41/, /[\\b]/, /a\\/b/, /(ab)c/, /.+\\s*/, /{x}/];'],
  ['new RegExp with a supported pattern', 'const r = new RegExp("^[a-z]+$", "i"); const q = new RegExp(dynamic);'],
  ['process.memory and process.env', 'const m = process.memory().free; const v = process.env.VERSION;'],
  ['names a minifier reuses for locals', 'function f(Map, Set) { return new Map(Set); } var Symbol = 1; let Proxy = Symbol; try {} catch (Buffer) { Buffer; }'],
  ['functions declared before use, recursion and deferred calls', 'function a() { return b(); } function b() { return a(); } setTimeout(() => later(), 0); function later() {} a();'],
  ['a loop variable used by code in the loop body', 'for (let i = 0; i < 3; i++) { const j = i; arr.push(j); }'],
  ['methods named like missing ones when not called', 'const o = { at: 1, flat: 2 }; f(o.at, o.flat);'],
  ['typed arrays, getters on objects and in/instanceof', 'const b = new Uint8Array(4); if ("k" in o && o instanceof Error) f(b);'],
  ['throwing errors Espruino has', 'throw new TypeError("bad");'],
];

describe('the gate passes code Espruino 2v29 runs', () => {
  test.each(allowed)('%s', (_what, code) => {
    expect(findEspruinoProblems(code)).toEqual([]);
  });
});
