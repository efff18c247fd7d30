// What Espruino's REPL prints after `=` for a line: the value of its last statement when that is an
// expression, the declared value for var/let/const, function and class declarations, and undefined
// for any other statement (if, for, switch, try...), where V8's completion value would differ.
import * as acorn from 'acorn';

export type LastStatement = { kind: 'expression' } | { kind: 'name'; name: string } | { kind: 'undefined' };

/** How to find the REPL value of `code` once it has run; unparseable code keeps V8's value. */
export function lastStatement(code: string): LastStatement {
  let body: any[];
  try {
    body = (acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true }) as any).body;
  } catch {
    return { kind: 'expression' };
  }
  const last = body[body.length - 1];
  if (!last || last.type === 'EmptyStatement') return { kind: 'expression' };
  switch (last.type) {
    case 'ExpressionStatement':
      return { kind: 'expression' };
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return { kind: 'name', name: last.id.name };
    case 'VariableDeclaration': {
      const d = last.declarations[last.declarations.length - 1];
      return d.init && d.id.type === 'Identifier' ? { kind: 'name', name: d.id.name } : { kind: 'undefined' };
    }
    default:
      return { kind: 'undefined' };
  }
}
