// Syntax checks of the Espruino gate: one AST node at a time, no knowledge of scopes or names.
// What Espruino 2v29's parser (src/jsparse.c) rejects or runs wrongly; library gaps live elsewhere.
// The simulator refuses the same syntax through firstUnrunnableSyntax, so the two never disagree.

import { parse, type Node } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { findRegexProblems } from './espruino-regex';
import { isFunction } from './espruino-scope';

export type AnyNode = Node & Record<string, any>;
export type Report = (node: Node, construct: string, message: string) => void;

const patternParents = ['ObjectPattern', 'ArrayPattern', 'AssignmentPattern', 'RestElement', 'Property'];

/** Only the outermost pattern of a destructuring counts: one problem per destructuring. */
function isOutermostPattern(ancestors: Node[]): boolean {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const t = ancestors[i].type;
    if (t === 'ObjectPattern' || t === 'ArrayPattern') return false;
    if (!patternParents.includes(t)) return true;
  }
  return true;
}

export function checkSyntax(node: AnyNode, parent: AnyNode | undefined, ancestors: Node[], report: Report): void {
  switch (node.type) {
    case 'ObjectPattern':
    case 'ArrayPattern':
      if (isOutermostPattern(ancestors)) report(node, 'destructuring', 'Espruino cannot destructure: read each property into its own variable');
      break;
    case 'SpreadElement':
      if (parent?.type === 'ObjectExpression') report(node, 'spread', 'Espruino has no object spread: use Object.assign({}, a, b)');
      else if (parent?.type === 'ArrayExpression') report(node, 'spread', 'Espruino has no array spread: use concat() or push in a loop');
      else report(node, 'spread', 'Espruino has no spread in calls: use fn.apply(thisArg, args)');
      break;
    case 'AssignmentPattern':
      if (parent && isFunction(parent) && parent.params.includes(node)) {
        report(node, 'default parameter', 'Espruino has no default parameters: test for undefined in the body');
      }
      break;
    case 'RestElement':
      if (parent && isFunction(parent)) report(node, 'rest parameter', 'Espruino has no rest parameters: read `arguments`');
      else report(node, 'rest element', 'Espruino has no rest elements: copy the remaining items with slice()');
      break;
    case 'ChainExpression':
      report(node, 'optional chaining', 'Espruino has no ?.: test for null/undefined first (a && a.b)');
      break;
    case 'BinaryExpression':
      if (node.operator === '**') report(node, 'exponent operator', 'Espruino has no **: use Math.pow(a, b)');
      if (node.left.type === 'PrivateIdentifier') report(node, 'private class member', 'Espruino has no #private members: use a normal property');
      break;
    case 'AssignmentExpression':
      if (node.operator === '**=') report(node, 'exponent operator', 'Espruino has no **=: use a = Math.pow(a, b)');
      if (['??=', '||=', '&&='].includes(node.operator)) {
        report(node, 'logical assignment', `Espruino has no ${node.operator}: write if (...) a = b`);
      }
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    {
      // A method's function starts at its parameters: point at the method, where `async`/`*` is.
      const at = parent && (parent.type === 'MethodDefinition' || (parent.type === 'Property' && parent.method)) ? parent : node;
      if (node.async) report(at, 'async function', 'Espruino has no async functions: return a Promise and chain then()');
      if (node.generator) report(at, 'generator', 'Espruino has no generators: keep the state in variables and a plain function');
      break;
    }
    case 'AwaitExpression':
      report(node, 'await', 'Espruino has no await: chain then() on the Promise');
      break;
    case 'YieldExpression':
      report(node, 'yield', 'Espruino has no generators: keep the state in variables and a plain function');
      break;
    case 'ForOfStatement':
    case 'ForInStatement':
      if (node.await) report(node, 'for await', 'Espruino has no for await: chain then() on each Promise');
      if (node.left.type === 'MemberExpression') {
        report(node.left, 'for-in/of target', 'Espruino needs a variable name before in/of: assign the property inside the loop');
      }
      break;
    case 'TaggedTemplateExpression':
      report(node, 'tagged template', 'Espruino has no tagged templates: call the function with a string');
      break;
    case 'Property':
      if (node.computed && parent?.type === 'ObjectExpression') {
        report(node, 'computed key', 'Espruino has no computed keys: create the object, then assign o[key] = value');
      }
      break;
    case 'MethodDefinition':
    case 'PropertyDefinition':
      checkClassMember(node, report);
      break;
    case 'StaticBlock':
      report(node, 'class static block', 'Espruino has no static blocks: run the code after the class');
      break;
    case 'ClassDeclaration':
    case 'ClassExpression':
      if (node.superClass && node.superClass.type !== 'Identifier') {
        report(node.superClass, 'class extends expression', 'Espruino can only extend a plain name: assign the base class to a variable first');
      }
      break;
    case 'MemberExpression':
      if (node.property.type === 'PrivateIdentifier') report(node, 'private class member', 'Espruino has no #private members: use a normal property');
      break;
    case 'LabeledStatement':
      report(node, 'label', 'Espruino has no labels: use a flag or move the loop into a function and return');
      break;
    case 'WithStatement':
      report(node, 'with statement', 'Espruino has no with: name the object');
      break;
    case 'MetaProperty':
      if (node.meta.name === 'new') report(node, 'new.target', 'Espruino has no new.target: pass a flag');
      else report(node, 'import.meta', 'there is no import.meta on the device');
      break;
    case 'ImportExpression':
      report(node, 'dynamic import', 'Espruino has no import(): bundle the module, or require() a built-in one');
      break;
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
    case 'ExportAllDeclaration':
      report(node, 'module syntax', 'Espruino runs scripts, not ES modules: bundle with format cjs and export nothing from the entry');
      break;
    case 'Literal':
      if (node.bigint !== undefined) report(node, 'BigInt literal', 'Espruino has no BigInt: use numbers');
      if (node.regex) {
        for (const p of findRegexProblems(node.regex.pattern, node.regex.flags, true)) report(node, p.construct, p.message);
      }
      break;
  }
}

function checkClassMember(node: AnyNode, report: Report): void {
  if (node.key.type === 'PrivateIdentifier') {
    report(node, 'private class member', 'Espruino has no #private members: use a normal property');
  } else if (node.computed) {
    report(node, 'computed key', 'Espruino has no computed keys: assign the member after the class');
  } else if (node.key.type !== 'Identifier') {
    report(node, 'class member key', 'Espruino class members must be plain names, not strings or numbers');
  }
  if (node.type === 'PropertyDefinition' && !node.static) {
    report(node, 'class instance field', 'Espruino evaluates instance fields once and puts them on the prototype: assign them in the constructor');
  } else if (node.type === 'PropertyDefinition' && !node.value) {
    report(node, 'class field without value', 'Espruino needs `static x = value`: give the field a value');
  }
}

/**
 * Constructs the gate refuses although 2v29 parses and runs them (differently from V8): checked on
 * the interpreter, `class A { x = 1 }` and `for (o.p in x)` run, and an unsupported regular
 * expression silently fails to match. The simulator, which must run what the board runs, lets
 * these through; the build, which must not ship them, does not.
 */
export function runsOnDevice(construct: string): boolean {
  return construct.startsWith('regex ') || construct === 'class instance field' || construct === 'for-in/of target';
}

export interface SyntaxProblem {
  construct: string;
  message: string;
  line: number;
  column: number;
}

/**
 * The first construct in a script that Espruino 2v29 cannot run (the gate's rules, less
 * runsOnDevice), for the simulator, which checks whole scripts where Espruino parses a function
 * when it is first called. Code acorn cannot parse is left to V8: undefined.
 */
export function firstUnrunnableSyntax(code: string): SyntaxProblem | undefined {
  let program: Node;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: true, allowHashBang: true });
  } catch {
    return undefined;
  }
  let found: SyntaxProblem | undefined;
  const report: Report = (node, construct, message) => {
    if (found || runsOnDevice(construct)) return;
    found = { construct, message, line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 };
  };
  fullAncestor(program, (raw, _state, ancestors) => {
    if (!found) checkSyntax(raw as AnyNode, ancestors[ancestors.length - 2] as AnyNode | undefined, ancestors, report);
  });
  return found;
}
