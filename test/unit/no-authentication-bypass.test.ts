import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../../', import.meta.url)); // from dist/test/unit
/** What ships: the two services, the code they share, and the two packages' sources. */
const SHIPPED = ['auth-svc', 'business-svc', 'lib', 'server-kit/src', 'sdk/src'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('nothing that switches authentication off ships in a service', () => {
  const files = SHIPPED.flatMap((dir) => sources(join(root, dir)));

  it('reads every shipped source file (the check below looks at something)', () => {
    expect(files.length).to.be.above(100);
  });

  it('no shipped file imports the benchmark\'s code or reads a switch that disables verification', () => {
    const offenders = files.filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /scripts\/bench|accept-any-token|BENCH_DISABLE_AUTH|DISABLE_AUTH|SKIP_AUTH/.test(text);
    });
    expect(offenders.map((f) => relative(root, f))).to.deep.equal([]);
  });
});
