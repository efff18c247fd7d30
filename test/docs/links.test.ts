// Docs that do not drift: every relative link in README.md and docs/ names a file of this
// repository (and, into a markdown file, a heading that exists), and no link or path leaves it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

function links(markdown: string): string[] {
  // Fenced code holds commands, not links.
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

describe.each(pages)('%s', (page) => {
  const text = readFileSync(join(root, page), 'utf8');

  test('every relative link resolves inside the repository', () => {
    const broken: string[] = [];
    for (const link of links(text)) {
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split('#');
      const target = path ? resolve(root, dirname(page), path) : join(root, page);
      if (relative(root, target).startsWith('..')) {
        broken.push(`${link} (outside the repository)`);
        continue;
      }
      if (!existsSync(target)) {
        broken.push(`${link} (no such file)`);
        continue;
      }
      if (anchor && target.endsWith('.md') && statSync(target).isFile() && !anchors(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('names no path outside the repository', () => {
    expect(text).not.toMatch(/\.\.\/shared\/|\/work\//);
  });
});
