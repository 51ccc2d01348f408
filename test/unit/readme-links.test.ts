import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

/** README is for users of the repository: everything it points at must be in the repository. */
describe('README links', () => {
  const root = new URL('../../../', import.meta.url); // from dist/test/unit to the repository
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  // GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
  const anchors = new Set([...readme.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));

  it('never points outside the repository (no ../ paths)', () => {
    expect(readme).not.to.match(/\.\.\/[\w.-]/);
  });

  it('links only to files that exist and to headings it has', () => {
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^https?:\/\//.test(l));
    expect(links.length).to.be.greaterThan(2);
    for (const link of links) {
      if (link.startsWith('#')) expect(anchors.has(link.slice(1)), `${link} names no heading`).to.equal(true);
      else expect(existsSync(new URL(link.split('#')[0]!, root)), `${link} does not exist`).to.equal(true);
    }
  });
});
