// The Espruino compatibility gate: parses a bundle with acorn and lists everything Espruino 2v29
// cannot run or runs wrongly (docs/espruino.md "The language"). Name-dependent checks live here, syntax in
// espruino-syntax.ts, library tables in espruino-library.ts. It reports; it never rewrites code.

import { parse, type Node, type Options } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { brokenNeedleMethods, builtinStatics, errorClasses, missingGlobals, missingMethods, processMembers, staticAdviceFor,
  staticExists } from './espruino-library';
import { findRegexProblems } from './espruino-regex';
import { findGlobalClashes } from './espruino-globals';
import { collectScopes, isFunction, resolve, type Scopes } from './espruino-scope';
import { checkSyntax, type AnyNode, type Report } from './espruino-syntax';

import type { EspruinoProblem } from './espruino-problem';

export type { EspruinoProblem } from './espruino-problem';

const parseOptions: Options = { ecmaVersion: 'latest', sourceType: 'script', locations: true };

function parseBundle(code: string): { program: Node | null; error: EspruinoProblem | null } {
  try {
    return { program: parse(code, parseOptions), error: null };
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    // import/export, import.meta and top-level await only parse as a module: parse it so and let
    // the walk name the construct.
    try {
      return { program: parse(code, { ...parseOptions, sourceType: 'module' }), error: null };
    } catch {
      const message = e.message.replace(/ \(\d+:\d+\)$/, '');
      return { program: null, error: { construct: 'syntax error', message, line: e.loc?.line ?? 1, column: e.loc?.column ?? 0 } };
    }
  }
}

function propertyName(member: AnyNode): string | null {
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.computed && member.property.type === 'Literal' && typeof member.property.value === 'string') return member.property.value;
  return null;
}

function stringArgument(arg: AnyNode | undefined): string | null {
  if (!arg) return null;
  if (arg.type === 'Literal' && typeof arg.value === 'string') return arg.value;
  if (arg.type === 'TemplateLiteral' && arg.expressions.length === 0) return arg.quasis[0].value.cooked ?? null;
  return null;
}

const loopTypes = ['ForStatement', 'ForInStatement', 'ForOfStatement'];

/** Checks that depend on what a name refers to: free globals, missing statics and methods. */
function checkReference(node: AnyNode, parent: AnyNode | undefined, ancestors: Node[], scopes: Scopes, report: Report): void {
  const name: string = node.name;
  const found = resolve(scopes, name, ancestors);
  if (found) {
    checkBinding(node, found.scope, found.binding.kind, found.binding.node, ancestors, report);
    return;
  }
  const member = parent?.type === 'MemberExpression' && parent.object === node ? parent : null;
  const memberName = member ? propertyName(member) : null;
  if (name === 'process') {
    if (memberName === null || !processMembers.includes(memberName)) report(node, 'process', missingGlobals.process);
  } else if (Object.prototype.hasOwnProperty.call(missingGlobals, name)) {
    report(node, name, missingGlobals[name]);
  } else if (memberName !== null && builtinStatics[name] && !staticExists(name, memberName)) {
    report(member!, `${name}.${memberName}`, staticAdviceFor(name, memberName));
  } else if (name === 'RegExp' && (parent?.type === 'NewExpression' || parent?.type === 'CallExpression') && parent.callee === node) {
    const pattern = stringArgument(parent.arguments[0]);
    const flags = parent.arguments.length > 1 ? stringArgument(parent.arguments[1]) : '';
    if (pattern !== null) for (const p of findRegexProblems(pattern, flags ?? '', false)) report(parent, p.construct, p.message);
  } else if (errorClasses.includes(name) && parent && (parent.type === 'ClassDeclaration' || parent.type === 'ClassExpression') && parent.superClass === node) {
    report(parent, 'class extends Error', 'on Espruino instanceof fails for subclasses of Error: throw a plain Error with a code property');
  }
}

/** Traps that parse and then misbehave, found from where a name is declared. */
function checkBinding(node: AnyNode, scope: Node, kind: string, declaration: Node, ancestors: Node[], report: Report): void {
  const scopeIndex = ancestors.indexOf(scope);
  const insideFunction = ancestors.slice(scopeIndex + 1).some(isFunction);
  if (kind === 'function' && !insideFunction && node.start < declaration.start) {
    report(node, 'use before declaration', `Espruino does not hoist: declare function ${node.name} before code that runs it`);
  }
  // Espruino keeps one binding for the whole loop, in for, for..in and for..of alike.
  if (loopTypes.includes(scope.type) && (kind === 'let' || kind === 'const') && insideFunction) {
    report(node, 'closure over loop variable', `on Espruino every closure sees the last value of ${node.name}: copy it into a function parameter`);
  }
}

/** Calls whose method does not exist, or searches the 2v29 string bug gets wrong. */
function checkCall(node: AnyNode, report: Report): void {
  if (node.callee.type !== 'MemberExpression') return;
  const method = propertyName(node.callee);
  if (method === null) return;
  if (Object.prototype.hasOwnProperty.call(missingMethods, method)) {
    report(node.callee, `.${method}()`, missingMethods[method]);
  }
  if (Object.prototype.hasOwnProperty.call(brokenNeedleMethods, method)) {
    const needle = stringArgument(node.arguments[0]);
    if (needle !== null && needle.length >= 2) {
      report(node.callee, `multi-char .${method}`, `2v29 finds "${needle}" at the end of a string that only starts it: ${brokenNeedleMethods[method]}`);
    }
  }
}

/**
 * Everything in `code` Espruino 2v29 cannot run, sorted by position. `reservedGlobals`: names no
 * top-level declaration may take (the unwrapped bundle's top level is the device's global scope).
 */
export function findEspruinoProblems(code: string, reservedGlobals: string[] = []): EspruinoProblem[] {
  const { program, error } = parseBundle(code);
  if (!program) return [error!];
  const problems: EspruinoProblem[] = [];
  const seen = new Set<string>();
  const report: Report = (node, construct, message) => {
    const { line, column } = node.loc!.start;
    const key = `${line}:${column}:${construct}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ construct, message, line, column });
  };
  const scopes = collectScopes(program);
  fullAncestor(program, (raw, _state, ancestors, type) => {
    const node = raw as AnyNode;
    const parent = ancestors[ancestors.length - 2] as AnyNode | undefined;
    checkSyntax(node, parent, ancestors, report);
    // Declarations reach the callback as "VariablePattern"; only references come as "Identifier".
    if (node.type === 'Identifier' && type === 'Identifier') checkReference(node, parent, ancestors, scopes, report);
    if (node.type === 'CallExpression') checkCall(node, report);
  });
  problems.push(...findGlobalClashes(program, reservedGlobals));
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
