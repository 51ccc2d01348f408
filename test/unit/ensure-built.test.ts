import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const SCRIPT = new URL('../../../scripts/ensure-built.mjs', import.meta.url); // from dist/test/unit to the repository
type Staleness = (root: string) => string | undefined;

/** The check behind `npm run auth-svc`, `users`, `keys:rotate` …: build only when dist/ is missing or older than its sources. */
describe('build only when needed (scripts/ensure-built.mjs)', () => {
  let buildStaleness: Staleness;
  let root: string;
  const T = 1_700_000_000; // seconds
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);
  const write = (path: string, seconds: number) => (writeFileSync(join(root, path), 'x'), at(path, seconds));

  before(async () => {
    ({ buildStaleness } = (await import(SCRIPT.href)) as { buildStaleness: Staleness });
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ensure-built-'));
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ include: ['src'] }));
    at('tsconfig.json', T);
    write('package.json', T);
    write('package-lock.json', T);
    write('src/deep/a.ts', T);
    at('src/deep', T);
    at('src', T);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when there was no build, and not when the last build is newer than every source', () => {
    expect(buildStaleness(root)).to.equal('dist/ has not been built yet');
    write('dist/.build-stamp', T + 10);
    expect(buildStaleness(root)).to.equal(undefined);
  });

  it('builds again after a source file, a deletion, or the package files changed', () => {
    write('dist/.build-stamp', T + 10);
    write('src/deep/a.ts', T + 20);
    expect(buildStaleness(root)).to.equal('src changed since the last build');
    write('dist/.build-stamp', T + 30);
    unlinkSync(join(root, 'src/deep/a.ts'));
    at('src/deep', T + 40); // what the unlink did to the folder, made explicit
    expect(buildStaleness(root)).to.equal('src changed since the last build');
    write('dist/.build-stamp', T + 50);
    write('package-lock.json', T + 60);
    expect(buildStaleness(root)).to.equal('package-lock.json changed since the last build');
  });

  it('this repository, just built by npm test, is not rebuilt (the stamp is left alone)', () => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    // Fails (rather than rebuilding inside a test) if a source was edited after the build.
    expect(buildStaleness(repo), 'sources changed after the build that runs these tests').to.equal(undefined);
    const stamp = join(repo, 'dist', '.build-stamp');
    const before = statSync(stamp).mtimeMs;
    const run = spawnSync(process.execPath, [fileURLToPath(SCRIPT)], { encoding: 'utf8' });
    expect([run.status, run.stderr]).to.deep.equal([0, '']);
    expect(statSync(stamp).mtimeMs).to.equal(before);
  });

  it('is what the run-one-thing scripts go through (no rebuild per run), each running a file the build produces', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    const scripts = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'auth-svc', 'business-svc', 'users', 'service-clients', 'keys:rotate']) {
      const m = /^node scripts\/ensure-built\.mjs && node (?:--[\w-]+=\S+ )*(dist\/\S+\.js)$/.exec(scripts[name] ?? '');
      expect(m, `npm run ${name}: ${scripts[name]}`).to.not.equal(null);
      expect(existsSync(join(repo, m![1]!)), m![1]).to.equal(true);
    }
    expect(scripts.build).to.match(/&& touch dist\/\.build-stamp$/);
  });
});
