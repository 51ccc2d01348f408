import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

/**
 * The README, the manual in docs/ and the package READMEs are for users of the repository:
 * everything they point at must be in the repository, and every heading they name must exist.
 */
const root = new URL('../../../', import.meta.url); // from dist/test/unit to the repository
const pages = ['README.md', 'sdk/README.md', 'server-kit/README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  .filter((page) => existsSync(new URL(page, root)));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,4} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

describe('README and docs links', () => {
  it('the README and the manual exist', () => {
    expect(pages).to.include.members(['README.md', 'sdk/README.md', 'docs/configuration.md', 'docs/security.md']);
  });

  it('the README never points outside the repository (no ../ paths)', () => {
    expect(readFileSync(new URL('README.md', root), 'utf8')).not.to.match(/\.\.\/[\w.-]/);
  });

  for (const page of pages) {
    it(`${page} links only to files in the repository that exist, and to headings they have`, () => {
      const pageUrl = new URL(page, root);
      const links = [...readFileSync(pageUrl, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(https?:|mailto:)/.test(l));
      for (const link of links) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? pageUrl : new URL(path, pageUrl);
        expect(target.href.startsWith(root.href), `${link} points outside the repository`).to.equal(true);
        expect(existsSync(target), `${link} does not exist`).to.equal(true);
        if (anchor !== undefined) {
          expect(target.pathname.endsWith('.md'), `${link}: an anchor into a file that is not Markdown`).to.equal(true);
          expect(anchorsOf(readFileSync(target, 'utf8')).has(anchor), `${link} names no heading of ${target.pathname.slice(root.pathname.length)}`).to.equal(true);
        }
      }
    });
  }
});
