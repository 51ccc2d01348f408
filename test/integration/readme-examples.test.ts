import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAuthClient } from '@grpc-token-auth/sdk';
import { expect } from 'chai';
import { serviceClientsCli } from '../../scripts/support/service-client-cli.js';
import { startSystem, TEST_ISSUER, testEnv, type RunningSystem } from '../support/system.js';

/** The kit example's own service: its audience, and the name of its service client. */
const KIT_AUDIENCE = 'my-svc';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url)); // from dist/test/integration
/** What only servers need: installing the client SDK must not bring any of them. */
const SERVER_ONLY = ['better-sqlite3', 'pg', 'pino', 'prom-client'];

/** Where examples live: every one marked `<!-- example: NAME -->` in these files is compiled and run. */
const DOCUMENTS = ['README.md', 'sdk/README.md', 'server-kit/README.md', ...markdownIn('docs')];

/**
 * The documentation's examples, as a new user would meet them: the packed tarballs (not links)
 * installed into a fresh project outside the repository, compiled by the newest TypeScript with
 * the settings its `tsc --init` writes, and run against real services.
 */
describe('documentation examples, from the packed tarballs in a fresh project (real npm install, real processes)', () => {
  let project: string;
  let sys: RunningSystem;
  let examples: Map<string, Example>;
  let kitClient: { id: string; secret: string };
  const demo = { email: 'readme-demo@example.com', password: 'correct-horse-battery-staple', displayName: 'Readme Demo' };

  before(async function () {
    this.timeout(180_000);
    project = mkdtempSync(join(tmpdir(), 'grpc-token-auth-consumer-'));
    const { stdout } = await exec('npm', ['pack', '--workspaces', '--pack-destination', project, '--loglevel=error'], { cwd: root });
    const tarballs = stdout.split('\n').filter((l) => l.endsWith('.tgz'));
    const sdk = tarballs.find((t) => t.includes('-sdk-'))!;
    const kit = tarballs.find((t) => t.includes('-server-kit-'))!;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // The peer and the Node types at the versions this repository is tested with.
    await npmInstall(project, `./${sdk}`, `@grpc/grpc-js@${lockedVersion('@grpc/grpc-js')}`, `@types/node@${lockedVersion('@types/node')}`);
    expect(installedIn(project).filter((name) => SERVER_ONLY.includes(name)), 'the SDK alone').to.deep.equal([]);
    await npmInstall(project, `./${kit}`);
    const installed = installedIn(project);
    expect(installed.filter((name) => SERVER_ONLY.includes(name)), 'with the server kit').to.deep.equal([]);
    expect(installed.filter((name) => name === '@grpc/grpc-js'), 'one grpc-js, shared with the packages').to.have.length(1);

    examples = examplesIn(DOCUMENTS);
    for (const required of ['sdk', 'kit-service', 'kit-without-authentication']) expect(examples.has(required), `an example named "${required}"`).to.equal(true);
    for (const [name, { code }] of examples) writeFileSync(join(project, `${name}-example.ts`), code);
    // The newest TypeScript and the tsconfig its `tsc --init` writes, with the one change a Node
    // project needs ("types": ["node"]): what a team starting today compiles the examples with.
    await npmInstall(project, 'typescript@latest');
    const tsc = join(project, 'node_modules/typescript/bin/tsc');
    await exec(process.execPath, [tsc, '--init'], { cwd: project });
    const tsconfig = readFileSync(join(project, 'tsconfig.json'), 'utf8');
    expect(tsconfig, 'tsc --init still writes "types": []').to.include('"types": []');
    writeFileSync(join(project, 'tsconfig.json'), tsconfig.replace('"types": []', '"types": ["node"]'));
    // Once as written (skipLibCheck, as --init sets it), once checking our packages' declarations too.
    for (const libCheck of [[], ['--skipLibCheck', 'false']]) {
      await exec(process.execPath, [tsc, '-p', project, '--outDir', join(project, 'out'), ...libCheck]).catch((err: { stdout?: string }) => {
        throw new Error(`the documentation's examples do not compile with tsc --init's defaults ${libCheck.join(' ')}:\n${err.stdout}`);
      });
    }

    // Audiences as the upgrade note sets them: auth-svc issues for business-svc (the default), itself and
    // the kit example's own service, whose client may exchange callers' tokens for business-svc.
    sys = await startSystem({}, { auth: { JWT_AUDIENCE: undefined, JWT_AUDIENCES: `business-svc,auth-svc,${KIT_AUDIENCE}` }, business: { JWT_AUDIENCE: 'business-svc' } });
    kitClient = JSON.parse(
      await serviceClientsCli(['create', KIT_AUDIENCE, '--scopes', 'revocations.watch,tokens.exchange', '--audiences', 'business-svc', '--json'], testEnv(sys.dataDir)),
    ) as { id: string; secret: string };
    const auth = createAuthClient(sys.authAddress);
    await auth.register(demo);
    auth.close();
  });
  after(async () => {
    await sys?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  /** The kit examples run as their own service: its audience and its client (see before). */
  const kitEnv = () => ({ SERVICE_CLIENT_ID: kitClient.id, SERVICE_CLIENT_SECRET: kitClient.secret, JWT_AUDIENCE: KIT_AUDIENCE });
  const runExample = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
    const env = {
      PATH: process.env.PATH,
      AUTH_ADDRESS: sys.authAddress,
      BUSINESS_ADDRESS: sys.businessAddress,
      DEMO_EMAIL: demo.email,
      DEMO_PASSWORD: demo.password,
      SERVICE_CLIENT_ID: sys.serviceClient.id,
      SERVICE_CLIENT_SECRET: sys.serviceClient.secret,
      JWT_ISSUER: TEST_ISSUER,
      ...extra,
    };
    const { stdout } = await exec(process.execPath, [join(project, 'out', `${name}-example.js`)], { env, timeout: 20_000 });
    return stdout;
  };

  it('the SDK example signs in, calls, streams, gets a typed error and signs out', async () => {
    const out = await runExample('sdk');
    expect(out).to.include(`signed in as ${demo.displayName}`);
    expect(out).to.include('notes: hello from the SDK');
    expect(out).to.include('change: KIND_CREATED hello from the SDK');
    expect(out).to.include('change: KIND_UPDATED hello from the SDK');
    expect(out).to.include('missing note: NOT_FOUND');
    expect(out).to.include('session ended: logged out');
  });

  it("the kit example protects its own service, observes it, calls business-svc on the caller's behalf, and its server stream ends within 1 s of the caller's Logout", async () => {
    const out = await runExample('kit-service', kitEnv());
    expect(out).to.match(new RegExp(`hello from my service: ${demo.displayName} \\([0-9a-f-]{36}\\)`));
    expect(out).to.include('without a token: UNAUTHENTICATED missing authorization metadata');
    expect(out).to.include('observed: /business.v1.DashboardService/GetDashboard OK');
    expect(out).to.include('observed: /business.v1.DashboardService/GetDashboard UNAUTHENTICATED (missing)');
    expect(out).to.include('stream open: tick');
    const ended = /stream ended (\d+) ms after logout: UNAUTHENTICATED session has been revoked/.exec(out);
    expect(ended, out).to.not.equal(null);
    expect(Number(ended![1]), 'ms from Logout to the end of the stream').to.be.below(1000);
    expect(out).to.include('observed: /business.v1.NotesService/WatchNotes UNAUTHENTICATED');
  });

  it('the kit without authentication: limits and observability alone', async () => {
    const out = await runExample('kit-without-authentication');
    expect(out.split('\n').filter(Boolean)).to.deep.equal([
      'observed: /business.v1.DashboardService/GetDashboard OK',
      'hello anonymous',
      'observed: /business.v1.DashboardService/GetDashboard RESOURCE_EXHAUSTED',
      'too much metadata: RESOURCE_EXHAUSTED request metadata exceeds 1024 bytes',
    ]);
  });

  it('every other example runs to its end (exit code 0)', async () => {
    const checked = new Set(['sdk', 'kit-service', 'kit-without-authentication']);
    for (const [name, { file }] of examples) {
      if (checked.has(name)) continue;
      await runExample(name).catch((err: { stderr?: string }) => {
        throw new Error(`example "${name}" (${file}) failed:\n${err.stderr}`);
      });
    }
  });
});

interface Example {
  readonly file: string;
  readonly code: string;
}

/** Every ```ts block right after `<!-- example: NAME -->` in `files`; a name used twice is refused (a stale copy). */
function examplesIn(files: readonly string[]): Map<string, Example> {
  const found = new Map<string, Example>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```\n/g)) {
      const name = match[1]!;
      const earlier = found.get(name);
      if (earlier) throw new Error(`example "${name}" is in both ${earlier.file} and ${file}: keep one`);
      found.set(name, { file, code: match[2]! });
    }
  }
  return found;
}

function markdownIn(dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(dir, name));
}

async function npmInstall(project: string, ...specs: string[]): Promise<void> {
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs];
  await exec('npm', args, { cwd: project, timeout: 120_000 }).catch((err: { stderr?: string }) => {
    throw new Error(`npm ${args.join(' ')} failed:\n${err.stderr}`);
  });
}

/** The version package-lock.json pins for a package the root depends on. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  return lock.packages[`node_modules/${name}`]!.version!;
}

/** Every package under node_modules, nested ones included, by name. */
function installedIn(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return [];
  return readdirSync(modules, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) =>
      e.name.startsWith('@')
        ? readdirSync(join(modules, e.name)).map((sub) => join(e.name, sub))
        : [e.name],
    )
    .flatMap((name) => [name, ...installedIn(join(modules, name))]);
}
