// Finds the bundle's boot-only factories: top-level `X = function (...) { ... X = 0 ... }`, the
// factories that free their own function object at boot (firmware/MEMORY.md). Their names would
// still each hold a JsVar (`X = 0`) for the device's whole uptime; the build appends `delete X;` for
// each, after the boot code, which removes the name itself (measured on Espruino 2v29). V8 leaves a
// var-declared global in place and returns false in sloppy scripts, so the simulator is unaffected.
// It changes nothing else: a name is listed only if its own function clears it.
import { parse, type Node } from 'acorn';
import { simple } from 'acorn-walk';

interface Named extends Node {
  name?: string;
}

/** The top-level names whose function initializer assigns 0 to the name itself, in bundle order. */
export function bootOnlyNames(code: string): string[] {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true });
  const names: string[] = [];
  for (const stmt of program.body) {
    if (stmt.type !== 'VariableDeclaration') continue;
    for (const d of stmt.declarations) {
      if (d.id.type !== 'Identifier' || d.init?.type !== 'FunctionExpression') continue;
      const name = d.id.name;
      let frees = false;
      simple(d.init.body, {
        AssignmentExpression(a) {
          const left = a.left as Named;
          const right = a.right as Node & { value?: unknown };
          if (a.operator === '=' && left.type === 'Identifier' && left.name === name && right.type === 'Literal' && right.value === 0) frees = true;
        },
      });
      if (frees) names.push(name);
    }
  }
  return names;
}

/** The line the build appends: one `delete X;` per boot-only name ('' when none). */
export function deleteBootOnlyNames(code: string): string {
  return bootOnlyNames(code)
    .map((n) => `delete ${n};`)
    .join('');
}
