// V8 words its own errors ("q is not defined"); Espruino's differ ('"q" is not defined'). Code that
// catches one must see Espruino's words, and the vm has no hook between V8 making the error and the
// catch, so every `catch (e) {` gets `e = HOOK(e);` put at the start of its block. Nothing else changes.
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

/** The global the inserted call names (non-enumerable; installed by the session). */
export const CATCH_HOOK = '$$espruinoError';

export interface Instrumented {
  code: string;
  /** Where text was inserted (offsets in the original code) and how long, in order. */
  insertions: { at: number; length: number }[];
}

export function instrumentCatches(code: string): Instrumented {
  if (!code.includes('catch')) return { code, insertions: [] };
  let ast: acorn.Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
  } catch {
    return { code, insertions: [] };
  }
  const points: { at: number; text: string }[] = [];
  walk.full(ast, (node: any) => {
    if (node.type === 'CatchClause' && node.param?.type === 'Identifier') {
      const name = node.param.name as string;
      points.push({ at: node.body.start + 1, text: `${name}=${CATCH_HOOK}(${name});` });
    }
  });
  if (!points.length) return { code, insertions: [] };
  points.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const p of points) {
    out += code.slice(from, p.at) + p.text;
    from = p.at;
  }
  return { code: out + code.slice(from), insertions: points.map((p) => ({ at: p.at, length: p.text.length })) };
}

/** An offset in the instrumented code back to the original code. */
export function originalOffset(offset: number, insertions: Instrumented['insertions']): number {
  let shift = 0;
  for (const i of insertions) {
    if (i.at + shift + i.length <= offset) shift += i.length;
    else if (i.at + shift <= offset) return i.at;
  }
  return offset - shift;
}
