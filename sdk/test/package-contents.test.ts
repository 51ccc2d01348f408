import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const sdkDir = new URL('..', import.meta.url); // from sdk/dist-test
const read = (path: string) => readFileSync(new URL(path, sdkDir), 'utf8');

/** What `npm pack` would put in the tarball (the built dist/ must be current: `npm test` builds it). */
async function packedFiles(): Promise<string[]> {
  // Under `npm test` the npm that runs us is used; run alone, the one on PATH.
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const { stdout } = await run(npm[0] as string, [...(npm[1] as string[]), 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: sdkDir });
  const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return report!.files.map((f) => f.path);
}

describe('the packed SDK: what a consumer needs, nothing else', () => {
  let files: string[];
  before(async function () {
    this.timeout(30_000);
    files = await packedFiles();
  });

  it('holds compiled JavaScript with its declarations, README, LICENSE, CHANGELOG and package.json only', () => {
    const stray = files.filter((f) => !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f) && !/^dist\/.+\.(js|d\.ts)$/.test(f));
    expect(stray).to.deep.equal([]);
    expect(files).to.include.members(['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']);
    expect(files).to.include.members(['dist/gen/business/v1/notes_service.js', 'dist/gen/business/v1/notes_service.d.ts']);
    for (const js of files.filter((f) => f.endsWith('.js'))) expect(files, js).to.include(js.replace(/\.js$/, '.d.ts'));
  });

  it("carries the repository's Apache-2.0 LICENSE and says so in package.json, with where it lives", () => {
    expect(read('LICENSE')).to.equal(read('../LICENSE'));
    expect(read('LICENSE')).to.match(/Apache License\s+Version 2\.0, January 2004/);
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.license).to.equal('Apache-2.0');
    expect(pkg.repository).to.include({ directory: 'sdk' });
    expect(pkg.repository.url).to.match(/^git\+https:\/\//);
    expect(pkg.homepage).to.match(/^https:\/\//);
    expect(pkg.bugs.url).to.match(/^https:\/\//);
  });

  it('asks for third-party runtime dependencies by caret range, and for @grpc/grpc-js as a peer', () => {
    const pkg = JSON.parse(read('package.json'));
    for (const [name, range] of Object.entries(pkg.dependencies as Record<string, string>)) expect(range, name).to.match(/^\^\d+\.\d+\.\d+$/);
    expect(pkg.peerDependencies['@grpc/grpc-js']).to.match(/^\^1\.\d+\.\d+$/);
  });

  it('has an Unreleased section and a version policy in its CHANGELOG', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).to.match(/^## \[Unreleased\]$/m);
    expect(changelog).to.match(/\*\*Version policy\.\*\*/);
    expect(changelog).to.include(`## [${JSON.parse(read('package.json')).version}]`);
  });
});
