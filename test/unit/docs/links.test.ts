/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists and, when the link names an
 * anchor in a Markdown file, that file has a heading with that anchor (GitHub's slugs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(match[1] ?? '');
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  for (const match of text.matchAll(/<a (?:name|id)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  return anchors;
}

const LINKS = DOCS.flatMap((doc) => {
  const text = readFileSync(join(ROOT, doc), 'utf8').replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^(?:[a-z]+:|mailto:)/i.test(target))
    .map((target) => [doc, target] as const);
});

describe('links in the README and docs/*.md', () => {
  it('finds links to check', () => {
    expect(LINKS.length).toBeGreaterThan(30);
  });

  it.each(LINKS)('%s -> %s', (doc, target) => {
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? doc : normalize(join(dirname(doc), path));
    expect({ target, exists: existsSync(join(ROOT, file)) }).toEqual({ target, exists: true });
    if (anchor !== undefined && file.endsWith('.md')) {
      expect({ target, anchors: [...anchorsOf(file)].filter((found) => found === anchor) }).toEqual({
        target,
        anchors: [anchor],
      });
    }
  });
});
