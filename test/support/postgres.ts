import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** Set to 1 to skip (not fail) the PostgreSQL half of the suite on a machine without PostgreSQL. */
export const SKIP_POSTGRES = process.env.SKIP_POSTGRES === '1';

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, postgres) were not found. Install them (Debian/Ubuntu: ' +
  '`apt-get install -y postgresql`; .ci/run does this), or point PG_BIN at the directory that holds them. ' +
  'To run the suite without the PostgreSQL tests, set SKIP_POSTGRES=1.';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** A throwaway PostgreSQL server on 127.0.0.1, its data in a temp dir. */
export interface TestPostgres {
  readonly port: number;
  /** A fresh, empty database; resolves with its URL. */
  createDatabase(): Promise<string>;
  /** Fast shutdown (sessions ended, nothing committed lost), then the same server again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Where initdb and postgres live: $PG_BIN, else PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBin(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (process.env.PG_BIN) return has(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).find((d) => d !== '' && has(d));
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(debian, v, 'bin')).find(has);
}

/**
 * The server refuses to run as root, so as root it runs as the `postgres` account (which
 * Debian's package creates) and the data dir is handed to it.
 */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, and there is no `postgres` account to run PostgreSQL as (the postgresql package creates it)');
  }
}

/** A port that was free on 127.0.0.1 a moment ago (for a server a test starts later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** initdb into a temp dir and start `postgres` on 127.0.0.1 (no durability: it is thrown away). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(INSTALL_HINT);
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'auth-pg-'));
  if (account) chownSync(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  try {
    await promisify(execFile)(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      ...account,
      cwd: dir,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
  for (const setting of ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']) args.push('-c', setting);
  const launch = async () => {
    const child = spawn(join(bin, 'postgres'), args, { ...account, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await ready(child, READY_TIMEOUT_MS);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
    return { child, exited };
  };
  const shutdown = async () => {
    server.child.kill('SIGINT'); // fast shutdown: ends sessions, no checkpoint wait for us
    const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await server.exited;
    clearTimeout(timer);
  };
  let server: Awaited<ReturnType<typeof launch>>;
  try {
    server = await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    port,
    async createDatabase() {
      const name = `auth_test_${++databases}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      await shutdown();
      server = await launch();
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`PostgreSQL not ready within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        // From here on its log is drained unread (the server logs to stderr).
        child.stdout!.off('data', onData).resume();
        child.stderr!.off('data', onData).resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}) before it was ready:\n${log}`));
    });
  });
}

let shared: Promise<TestPostgres> | undefined;

/** One server for the whole test run, started on first use and stopped by the root hook. */
export function sharedTestPostgres(): Promise<TestPostgres> {
  shared ??= startTestPostgres();
  return shared;
}

export async function stopSharedTestPostgres(): Promise<void> {
  if (!shared) return;
  const running = shared;
  shared = undefined;
  await (await running.catch(() => undefined))?.stop();
}
