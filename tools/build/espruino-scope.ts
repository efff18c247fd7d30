// Which names each scope of a parsed bundle declares, so the gate can tell a free global (`Map`)
// from a local that a minifier happened to name the same. Lexical scoping only: no `with`, no eval.

import type { Node } from 'acorn';
import { fullAncestor } from 'acorn-walk';

/** A declaration of a name: its kind and the node that declares it. */
export interface Binding {
  kind: 'var' | 'let' | 'const' | 'function' | 'class' | 'param' | 'catch' | 'self';
  node: Node;
}

export type Scopes = Map<Node, Map<string, Binding>>;

// Loosely typed view of ESTree nodes: acorn's own types make every field access a cast.
type AnyNode = Node & Record<string, any>;

const functionTypes = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'];
const blockTypes = ['BlockStatement', 'Program', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'SwitchStatement',
  'StaticBlock', ...functionTypes];

export function isFunction(node: Node): boolean {
  return functionTypes.includes(node.type);
}

/** The identifiers a binding pattern declares (`a`, `{a, b: [c]}`, `...d`, `e = 1`). */
export function patternNames(pattern: AnyNode | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier': out.push(pattern.name); break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) patternNames(prop.type === 'RestElement' ? prop : prop.value, out);
      break;
    case 'ArrayPattern': for (const element of pattern.elements) patternNames(element, out); break;
    case 'AssignmentPattern': patternNames(pattern.left, out); break;
    case 'RestElement': patternNames(pattern.argument, out); break;
  }
  return out;
}

function nearest(ancestors: Node[], types: string[]): Node {
  // The last ancestor is the declaring node itself: start above it.
  for (let i = ancestors.length - 2; i >= 0; i--) if (types.includes(ancestors[i].type)) return ancestors[i];
  return ancestors[0];
}

function declare(scopes: Scopes, scope: Node, names: string[], binding: Binding): void {
  let table = scopes.get(scope);
  if (!table) scopes.set(scope, (table = new Map()));
  for (const name of names) if (!table.has(name)) table.set(name, binding);
}

/** Walks the program once and records every declaration in the scope that owns it. */
export function collectScopes(program: Node): Scopes {
  const scopes: Scopes = new Map();
  fullAncestor(program, (raw, _state, ancestors) => {
    const node = raw as AnyNode;
    switch (node.type) {
      case 'VariableDeclaration': {
        const kind = node.kind === 'var' ? 'var' : node.kind === 'const' ? 'const' : 'let';
        const scope = nearest(ancestors, kind === 'var' ? ['Program', ...functionTypes] : blockTypes);
        for (const d of node.declarations) declare(scopes, scope, patternNames(d.id), { kind, node });
        break;
      }
      case 'FunctionDeclaration':
        if (node.id) {
          const binding: Binding = { kind: 'function', node };
          declare(scopes, nearest(ancestors, blockTypes), [node.id.name], binding);
          // Sloppy-mode scripts also put block-level functions in the function's scope (Annex B).
          declare(scopes, nearest(ancestors, ['Program', ...functionTypes]), [node.id.name], binding);
        }
        declare(scopes, node, node.params.flatMap((p: AnyNode) => patternNames(p)), { kind: 'param', node });
        break;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        declare(scopes, node, node.params.flatMap((p: AnyNode) => patternNames(p)), { kind: 'param', node });
        if (node.id) declare(scopes, node, [node.id.name], { kind: 'self', node });
        break;
      case 'ClassDeclaration':
        declare(scopes, nearest(ancestors, blockTypes), [node.id.name], { kind: 'class', node });
        break;
      case 'ClassExpression':
        if (node.id) declare(scopes, node, [node.id.name], { kind: 'self', node });
        break;
      case 'CatchClause':
        declare(scopes, node, patternNames(node.param), { kind: 'catch', node });
        break;
    }
  });
  return scopes;
}

/** The scope node and binding a reference resolves to, or null when the name is free (a global). */
export function resolve(scopes: Scopes, name: string, ancestors: Node[]): { scope: Node; binding: Binding } | null {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const binding = scopes.get(ancestors[i])?.get(name);
    if (binding) return { scope: ancestors[i], binding };
  }
  return null;
}
