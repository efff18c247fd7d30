// jsiCountBracketsInInput (src/jsinteractive.c): the REPL runs a line when its brackets balance.
// An unfinished string counts as balanced (run it so it errors); an unfinished comment or template
// literal as very open (1000). A small lexer stands in for Espruino's; regex detection is heuristic.

export function countBrackets(src: string): number {
  let depth = 0;
  let i = 0;
  let prev = ''; // last significant token kind: 'v' value-like, 'o' operator/start
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return 1000;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === '\\') i++;
        else if (src[i] === '\n') return 0;
        i++;
      }
      if (i >= n) return 0;
      i++;
      prev = 'v';
      continue;
    }
    if (c === '`') {
      // template literal, with ${ } nesting
      i++;
      let nest = 0;
      for (;;) {
        if (i >= n) return 1000;
        const t = src[i];
        if (t === '\\') i += 2;
        else if (nest === 0 && t === '`') break;
        else if (t === '$' && src[i + 1] === '{') {
          nest++;
          i += 2;
        } else if (nest > 0 && t === '}') {
          nest--;
          i++;
        } else i++;
      }
      i++;
      prev = 'v';
      continue;
    }
    if (c === '/' && prev !== 'v') {
      // a regular expression literal
      i++;
      let inClass = false;
      while (i < n && (inClass || src[i] !== '/')) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        else if (src[i] === '\n') return 0;
        i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(src[i])) i++;
      prev = 'v';
      continue;
    }
    if (c === '{' || c === '[' || c === '(') {
      depth++;
      prev = 'o';
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth < 0) return depth;
      prev = 'v';
    } else if (/[A-Za-z0-9_$.]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$.]/.test(src[j])) j++;
      const word = src.slice(i, j);
      // after keywords like `return` a slash starts a regex
      prev = /^(return|typeof|case|do|else|in|of|new|delete|void|throw)$/.test(word) ? 'o' : 'v';
      i = j;
      continue;
    } else prev = 'o';
    i++;
  }
  return depth;
}
