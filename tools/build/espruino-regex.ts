// Finds regular-expression features Espruino 2v29's matcher (src/jswrap_regexp.c) lacks: they parse,
// then silently fail to match. Checks one pattern at a time; it does not validate the pattern itself.

export interface RegexProblem {
  construct: string;
  message: string;
}

const countedQuantifier = /^\{\d+(,\d*)?\}/;

function add(found: RegexProblem[], construct: string, message: string): void {
  for (const p of found) if (p.construct === construct) return;
  found.push({ construct, message });
}

function checkGroupOpening(pattern: string, i: number, found: RegexProblem[]): void {
  const head = pattern.slice(i, i + 4);
  if (head.startsWith('(?:')) add(found, 'regex non-capturing group', 'Espruino has no (?:...): use a plain group (...) and skip its capture');
  else if (head.startsWith('(?=') || head.startsWith('(?!')) add(found, 'regex lookahead', 'Espruino has no lookahead: test the next characters in code');
  else if (head.startsWith('(?<=') || head.startsWith('(?<!')) add(found, 'regex lookbehind', 'Espruino has no lookbehind: test the previous characters in code');
  else if (head.startsWith('(?<')) add(found, 'regex named group', 'Espruino has no named groups: use a plain group and its index');
  else add(found, 'regex ? quantifier', 'Espruino has no ? quantifier: write both alternatives, or test in code');
}

function checkEscape(next: string, inClass: boolean, found: RegexProblem[]): void {
  if (!inClass && (next === 'b' || next === 'B')) {
    add(found, 'regex word boundary', 'Espruino has no \\b or \\B (\\b means backspace there): test the neighbouring characters in code');
  } else if (next >= '1' && next <= '9') {
    add(found, 'regex backreference', 'Espruino throws on backreferences: compare the captured groups in code');
  } else if (next === 'k') {
    add(found, 'regex backreference', 'Espruino has no named backreferences: compare the captured groups in code');
  } else if (next === 'u' || next === 'c' || next === 'p' || next === 'P') {
    add(found, 'regex escape', `Espruino reads \\${next} as the letter ${next}: use \\xHH or the character itself`);
  }
}

/**
 * Problems in one pattern. `literal` says it came from a /.../ literal: Espruino's lexer then ends
 * the regex at any `/`, even inside a [...] class.
 */
export function findRegexProblems(pattern: string, flags: string, literal: boolean): RegexProblem[] {
  const found: RegexProblem[] = [];
  let inClass = false;
  let groups = 0;
  // What the last token was, to tell a quantifier on a group or a lazy `*?` from other uses.
  let last: 'atom' | 'group' | 'quantifier' | 'none' = 'none';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      checkEscape(pattern[i + 1] ?? '', inClass, found);
      i++;
      last = 'atom';
      continue;
    }
    if (inClass) {
      if (ch === ']') { inClass = false; last = 'atom'; }
      else if (ch === '/' && literal) add(found, 'regex / in class', 'Espruino ends a regex literal at any /, even inside [...]: escape it as \\/');
      continue;
    }
    if (ch === '[') { inClass = true; continue; }
    if (ch === '(') {
      if (pattern[i + 1] === '?') checkGroupOpening(pattern, i, found);
      groups++;
      last = 'none';
    } else if (ch === ')') {
      if (groups > 0) groups--;
      last = 'group';
    } else if (ch === '|') {
      if (groups > 0) add(found, 'regex alternation in group', 'Espruino only handles | at the top level of a regex: split it into several regexes');
      last = 'none';
    } else if (ch === '?') {
      if (last === 'quantifier') add(found, 'regex lazy quantifier', 'Espruino has no lazy quantifiers (*? +? ??): match the delimiter with a [^x]* class instead');
      else if (last !== 'none' || pattern[i - 1] !== '(') add(found, 'regex ? quantifier', 'Espruino has no ? quantifier: write both alternatives, or test in code');
      last = 'quantifier';
    } else if (ch === '*' || ch === '+') {
      if (last === 'group') add(found, 'regex group quantifier', `Espruino applies ${ch} to single characters only, not to a (...) group`);
      last = 'quantifier';
    } else if (ch === '{' && countedQuantifier.test(pattern.slice(i))) {
      add(found, 'regex counted quantifier', 'Espruino has no {m,n} quantifiers: repeat the atom, or check the length in code');
      i = pattern.indexOf('}', i);
      last = 'quantifier';
    } else {
      last = 'atom';
    }
  }
  for (const flag of flags) {
    if (flag === 'g' || flag === 'i') continue;
    const why = flag === 'm'
      ? 'Espruino ignores the m flag: ^ and $ match only at the ends of the string'
      : `Espruino ignores the ${flag} flag: only g and i work`;
    add(found, 'regex flag', why);
  }
  return found;
}
