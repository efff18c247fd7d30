// Rejects syntax Espruino 2v29 cannot run (docs/espruino.md "Fails" list) before V8 would run it anyway.
// Stricter than the board: it checks whole files at load, where Espruino parses a function when called.
// It does not catch runtime traps (hoisting, multi-char indexOf, `for (let...)` closures).
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

export interface SyntaxProblem {
  what: string;
  line: number;
  column: number;
}

/** The first construct Espruino cannot run, or undefined. Unparseable code is left to V8. */
export function findUnsupportedSyntax(code: string): SyntaxProblem | undefined {
  let ast: acorn.Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: true, allowHashBang: true });
  } catch {
    return undefined;
  }
  let found: SyntaxProblem | undefined;
  const report = (node: acorn.Node, what: string): void => {
    if (!found) found = { what, line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 };
  };
  const fn = (node: any): void => {
    if (node.async) report(node, 'async functions');
    if (node.generator) report(node, 'generators');
    for (const p of node.params ?? []) {
      if (p.type === 'AssignmentPattern') report(p, 'default parameters');
      if (p.type === 'RestElement') report(p, 'rest parameters');
    }
  };
  walk.full(ast, (node: any) => {
    switch (node.type) {
      case 'ObjectPattern':
      case 'ArrayPattern':
        report(node, 'destructuring');
        break;
      case 'SpreadElement':
        report(node, 'spread');
        break;
      case 'RestElement':
        report(node, 'rest elements');
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        fn(node);
        break;
      case 'AwaitExpression':
        report(node, 'await');
        break;
      case 'YieldExpression':
        report(node, 'yield');
        break;
      case 'LabeledStatement':
        report(node, 'labels');
        break;
      case 'TaggedTemplateExpression':
        report(node, 'tagged templates');
        break;
      case 'ChainExpression':
        report(node, 'optional chaining (?.)');
        break;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) report(node, 'computed keys');
        break;
      case 'PrivateIdentifier':
        report(node, 'private class members');
        break;
      case 'BinaryExpression':
        if (node.operator === '**') report(node, 'the ** operator');
        break;
      case 'AssignmentExpression':
        if (['**=', '??=', '||=', '&&='].includes(node.operator)) report(node, `the ${node.operator} operator`);
        break;
      case 'Literal':
        if (typeof node.bigint === 'string') report(node, 'BigInt literals');
        break;
      default:
        break;
    }
  });
  return found;
}
