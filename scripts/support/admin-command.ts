import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino } from 'pino';
import { loadAuthConfig, type AuthConfig } from '../../auth-svc/config.js';
import { migrationFindings, openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { ConfigError } from '../../lib/config/env-reader.js';
import { createLogger, type Logger } from '../../lib/log/logger.js';

/** Exit codes (sysexits.h): bad usage or refused input, bad configuration. */
const EX_USAGE = 64;
const EX_CONFIG = 78;

export interface AdminContext {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
  readonly config: AuthConfig;
  readonly store: AuthStore;
  /** Audit lines (JSON, stderr): stdout stays the command's answer. */
  readonly log: Logger;
  /** `--json`: `data` as one JSON line; otherwise `text`. */
  print(data: unknown, text: string): void;
}

export interface AdminCommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
}

/**
 * The shell every admin command shares (`service-clients`, `users`, `keys:rotate`): strict
 * arguments, auth-svc's configuration from the environment, and its store, which must
 * already exist: a forgotten AUTH_DB_PATH would otherwise create an empty `data/auth.db`
 * and report "nothing there". `--create` allows a new SQLite file on purpose.
 */
export async function runAdminCommand(spec: AdminCommandSpec, run: (ctx: AdminContext) => Promise<void>): Promise<void> {
  const fail = (code: number, message: string): never => {
    process.stderr.write(`${spec.name}: ${message}\n`);
    process.exit(code);
  };
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: { ...spec.options, json: { type: 'boolean', default: false }, create: { type: 'boolean', default: false } },
    });
  } catch (err) {
    return fail(EX_USAGE, `${(err as Error).message}\n${spec.usage}`);
  }
  let config: AuthConfig;
  try {
    config = loadAuthConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(EX_CONFIG, err.message);
    throw err;
  }
  if (!config.databaseUrl && !parsed.values.create && !existsSync(config.dbPath)) {
    return fail(
      EX_USAGE,
      `auth-svc's database ${config.dbPath} does not exist. Set AUTH_DB_PATH (or DATABASE_URL) as auth-svc has it, or pass --create to start a new database.`,
    );
  }
  const log = createLogger(spec.name, 'info', pino.destination({ fd: 2, sync: true }));
  // The command may be the first to open the database after an upgrade: it reports what migrations found.
  const store = await openAuthStore(config, undefined, migrationFindings(log));
  const json = parsed.values.json === true;
  const ctx: AdminContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    config,
    store,
    log,
    print: (data, text) => process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`),
  };
  try {
    await run(ctx);
  } catch (err) {
    process.exitCode = EX_USAGE;
    process.stderr.write(`${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    await store.close();
  }
}
