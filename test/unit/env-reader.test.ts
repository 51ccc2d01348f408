import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { DEV_JWT_SECRET } from '../../lib/config/dev-defaults.js';
import { ConfigError, EnvReader } from '../../lib/config/env-reader.js';
import { problemsOf } from './fixtures.js';

const GOOD_SECRET = 'production-secret-0123456789-abcdefghijkl';

/** Production without TLS settings also warns about plaintext (test/unit/tls-config.test.ts covers those). */
const notPlaintext = (warning: string) => !warning.includes('PLAINTEXT');

/** Runs `fn`, expecting a ConfigError, and returns its problems. */
describe('EnvReader', () => {
  describe('string / optional', () => {
    it('uses the fallback for unset or empty variables', () => {
      const env = new EnvReader({ SET: 'value', EMPTY: '' });
      expect(env.string('SET', 'fb')).to.equal('value');
      expect(env.string('EMPTY', 'fb')).to.equal('fb');
      expect(env.string('UNSET', 'fb')).to.equal('fb');
      expect(env.optional('SET')).to.equal('value');
      expect(env.optional('EMPTY')).to.equal(undefined);
      expect(env.optional('UNSET')).to.equal(undefined);
    });
  });

  describe('int', () => {
    it('parses integers within bounds, inclusive', () => {
      const env = new EnvReader({ LOW: '1', HIGH: '10', MID: '5' });
      expect(env.int('LOW', 3, 1, 10)).to.equal(1);
      expect(env.int('HIGH', 3, 1, 10)).to.equal(10);
      expect(env.int('MID', 3, 1, 10)).to.equal(5);
      expect(env.int('UNSET', 3, 1, 10)).to.equal(3);
      expect(env.finish()).to.deep.equal([]);
    });

    it('records a problem and returns the fallback when out of bounds or not an integer', () => {
      const env = new EnvReader({ BELOW: '0', ABOVE: '11', FRACTION: '2.5', WORD: 'ten' });
      expect(env.int('BELOW', 3, 1, 10)).to.equal(3);
      expect(env.int('ABOVE', 3, 1, 10)).to.equal(3);
      expect(env.int('FRACTION', 3, 1, 10)).to.equal(3);
      expect(env.int('WORD', 3, 1, 10)).to.equal(3);
      expect(problemsOf(() => env.finish())).to.deep.equal([
        'BELOW must be an integer from 1 to 10 (got "0")',
        'ABOVE must be an integer from 1 to 10 (got "11")',
        'FRACTION must be an integer from 1 to 10 (got "2.5")',
        'WORD must be an integer from 1 to 10 (got "ten")',
      ]);
    });
  });

  describe('oneOf', () => {
    it('accepts allowed values and records a problem otherwise', () => {
      const env = new EnvReader({ GOOD: 'debug', BAD: 'loud' });
      expect(env.oneOf('GOOD', 'info', ['debug', 'info'])).to.equal('debug');
      expect(env.oneOf('UNSET', 'info', ['debug', 'info'])).to.equal('info');
      expect(env.oneOf('BAD', 'info', ['debug', 'info'])).to.equal('info');
      expect(problemsOf(() => env.finish())).to.deep.equal(['BAD must be one of debug, info (got "loud")']);
    });
  });

  describe('finish', () => {
    it('throws one ConfigError listing every problem at once', () => {
      const env = new EnvReader({ PORT: '70000', LEVEL: 'loud', NODE_ENV: 'production' });
      env.int('PORT', 1, 0, 65535);
      env.oneOf('LEVEL', 'info', ['info']);
      env.secret('SECRET', 'dev-default-dev-default-dev-default!', 32);
      env.problem('custom problem');
      let thrown: unknown;
      try {
        env.finish();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(ConfigError).and.instanceOf(Error);
      const err = thrown as ConfigError;
      expect(err.name).to.equal('ConfigError');
      expect(err.problems).to.have.length(4);
      expect(err.problems[3]).to.equal('custom problem');
      expect(err.message).to.equal(`invalid configuration:\n  - ${err.problems.join('\n  - ')}`);
      for (const name of ['PORT', 'LEVEL', 'SECRET', 'custom problem']) expect(err.message).to.contain(name);
    });

    it('returns the warnings when there are no problems', () => {
      const env = new EnvReader({});
      expect(env.finish()).to.deep.equal([]);
    });
  });

  describe('production', () => {
    it('reads NODE_ENV case- and space-insensitively', () => {
      for (const NODE_ENV of ['production', 'Production', 'PRODUCTION', 'production ', ' \tproduction\n']) {
        const env = new EnvReader({ NODE_ENV });
        expect(env.production, JSON.stringify(NODE_ENV)).to.equal(true);
        expect(env.finish(), JSON.stringify(NODE_ENV)).to.deep.equal([]);
      }
      for (const NODE_ENV of ['development', 'Development', 'test', ' TEST', '']) {
        const env = new EnvReader({ NODE_ENV });
        expect(env.production, JSON.stringify(NODE_ENV)).to.equal(false);
        expect(env.finish()).to.deep.equal([]);
      }
      expect(new EnvReader({}).production).to.equal(false);
    });

    it('refuses any other value, and applies production rules meanwhile (fail closed)', () => {
      for (const NODE_ENV of ['prod', 'staging', 'production1', 'pro duction', 'productio']) {
        const env = new EnvReader({ NODE_ENV });
        expect(env.production, NODE_ENV).to.equal(true);
        expect(problemsOf(() => env.finish()), NODE_ENV).to.deep.equal([
          `NODE_ENV must be one of production, development, test or unset (got "${NODE_ENV}"); production rules apply until it is`,
        ]);
      }
    });
  });

  describe('secret', () => {
    const DEV = 'dev-default-secret-0123456789-abcdefgh';

    it('outside production, falls back to the dev default with a warning', () => {
      const env = new EnvReader({ NODE_ENV: 'development' });
      expect(env.secret('MY_SECRET', DEV, 32)).to.equal(DEV);
      const warnings = env.finish();
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('MY_SECRET');
      expect(warnings[0]).to.contain('PUBLIC DEVELOPMENT DEFAULT');
    });

    it('treats an empty variable as unset', () => {
      const env = new EnvReader({ MY_SECRET: '' });
      expect(env.secret('MY_SECRET', DEV, 32)).to.equal(DEV);
      expect(env.finish()).to.have.length(1);
    });

    it('in production, refuses an unset secret', () => {
      const env = new EnvReader({ NODE_ENV: 'production' });
      env.secret('MY_SECRET', DEV, 32);
      expect(problemsOf(() => env.finish())).to.deep.equal([
        'MY_SECRET must be set in production (the built-in dev default is public)',
      ]);
    });

    it('in production, refuses a secret equal to the dev default', () => {
      const env = new EnvReader({ NODE_ENV: 'production', MY_SECRET: DEV });
      env.secret('MY_SECRET', DEV, 32);
      expect(problemsOf(() => env.finish())).to.deep.equal(['MY_SECRET must not be the development default in production']);
    });

    it('in production, accepts a real secret without warnings', () => {
      const env = new EnvReader({ NODE_ENV: 'production', MY_SECRET: GOOD_SECRET });
      expect(env.secret('MY_SECRET', DEV, 32)).to.equal(GOOD_SECRET);
      expect(env.finish()).to.deep.equal([]);
    });

    it('refuses a secret shorter than minBytes, in any environment', () => {
      for (const NODE_ENV of ['development', 'production']) {
        const env = new EnvReader({ NODE_ENV, MY_SECRET: 'x'.repeat(31) });
        env.secret('MY_SECRET', DEV, 32);
        expect(problemsOf(() => env.finish()), NODE_ENV).to.deep.equal(['MY_SECRET must be at least 32 bytes']);
      }
    });

    it('measures the secret length in UTF-8 bytes', () => {
      const env = new EnvReader({ MY_SECRET: 'é'.repeat(16) });
      expect(env.secret('MY_SECRET', DEV, 32)).to.equal('é'.repeat(16));
      expect(env.finish()).to.deep.equal([]);
    });
  });
});

describe('loadAuthConfig', () => {
  it('has safe development defaults', () => {
    const config = loadAuthConfig({ JWT_ALGORITHM: 'HS256' });
    expect(config.listen).to.deep.equal({ host: '127.0.0.1', port: 50051 });
    expect(config.accessTokenTtlSeconds).to.equal(300);
    expect(config.scryptLogN).to.equal(15);
    expect(config.dbPath).to.equal('data/auth.db');
    expect(config.logLevel).to.equal('info');
    expect(config.shutdownGraceMs).to.equal(5000);
    expect(config.tokens).to.deep.equal({
      algorithm: 'HS256',
      issuer: 'auth-svc',
      audience: 'auth-svc',
      sharedSecret: DEV_JWT_SECRET,
      clockSkewSeconds: 30,
    });
    // Tokens for business-svc by default (what grpcurl's Login gets), and for auth-svc itself.
    expect(config.audiences).to.deep.equal({ issued: ['business-svc', 'auth-svc'], default: 'business-svc', own: ['auth-svc'] });
    expect(config.requireBoundServiceTokens).to.equal(false);
    expect(config.warnings).to.have.length(1);
    expect(config.warnings[0]).to.contain('JWT_SECRET');
  });

  it('JWT_AUDIENCES lists the services tokens are issued for; the deprecated JWT_AUDIENCE still works, with a warning', () => {
    const listed = loadAuthConfig({ JWT_AUDIENCES: 'reports-svc, business-svc', JWT_AUDIENCE: 'ignored' });
    expect(listed.audiences).to.deep.equal({ issued: ['reports-svc', 'business-svc', 'auth-svc'], default: 'reports-svc', own: ['auth-svc'] });
    const shared = loadAuthConfig({ JWT_AUDIENCE: 'grpc-token-auth' });
    expect(shared.audiences).to.deep.equal({ issued: ['grpc-token-auth', 'auth-svc'], default: 'grpc-token-auth', own: ['auth-svc', 'grpc-token-auth'] });
    expect(shared.warnings.join('\n')).to.match(/JWT_AUDIENCE on auth-svc is deprecated/);
    expect(() => loadAuthConfig({ JWT_AUDIENCES: 'a,,b' })).to.throw(/JWT_AUDIENCES/);
    expect(() => loadAuthConfig({ JWT_AUDIENCES: 'a b' })).to.throw(/JWT_AUDIENCES/);
  });

  it('reads overrides', () => {
    const config = loadAuthConfig({
      JWT_ALGORITHM: 'HS256',
      AUTH_HOST: '0.0.0.0',
      AUTH_PORT: '6000',
      ACCESS_TOKEN_TTL_SECONDS: '900',
      JWT_SECRET: GOOD_SECRET,
      JWT_CLOCK_SKEW_SECONDS: '5',
      LOG_LEVEL: 'warn',
    });
    expect(config.listen).to.deep.equal({ host: '0.0.0.0', port: 6000 });
    expect(config.accessTokenTtlSeconds).to.equal(900);
    expect(config.tokens.sharedSecret).to.equal(GOOD_SECRET);
    expect(config.tokens.clockSkewSeconds).to.equal(5);
    expect(config.logLevel).to.equal('warn');
    expect(config.warnings).to.deep.equal([]);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(problemsOf(() => loadAuthConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production' }))).to.deep.equal([
      'JWT_SECRET must be set in production (the built-in dev default is public)',
    ]);
  });

  it('refuses the public dev secret in production', () => {
    expect(problemsOf(() => loadAuthConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET }))).to.deep.equal([
      'JWT_SECRET must not be the development default in production',
    ]);
  });

  it('refuses PASSWORD_SCRYPT_LOG_N below 14 in production', () => {
    const problems = problemsOf(() =>
      loadAuthConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET, PASSWORD_SCRYPT_LOG_N: '13' }),
    );
    expect(problems).to.deep.equal(['PASSWORD_SCRYPT_LOG_N must be at least 14 in production']);
  });

  it('accepts PASSWORD_SCRYPT_LOG_N=14 in production', () => {
    const config = loadAuthConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET, PASSWORD_SCRYPT_LOG_N: '14' });
    expect(config.scryptLogN).to.equal(14);
    expect(config.warnings.filter(notPlaintext)).to.deep.equal([]);
  });

  it('accepts a low PASSWORD_SCRYPT_LOG_N outside production, within 10..20', () => {
    expect(loadAuthConfig({ JWT_ALGORITHM: 'HS256', PASSWORD_SCRYPT_LOG_N: '10' }).scryptLogN).to.equal(10);
    expect(problemsOf(() => loadAuthConfig({ JWT_ALGORITHM: 'HS256', PASSWORD_SCRYPT_LOG_N: '9' }))).to.deep.equal([
      'PASSWORD_SCRYPT_LOG_N must be an integer from 10 to 20 (got "9")',
    ]);
  });

  it('reports every problem together', () => {
    const problems = problemsOf(() =>
      loadAuthConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', AUTH_PORT: '99999', ACCESS_TOKEN_TTL_SECONDS: '1', LOG_LEVEL: 'loud' }),
    );
    expect(problems).to.have.length(4);
    expect(problems.join('\n')).to.contain('AUTH_PORT').and.contain('ACCESS_TOKEN_TTL_SECONDS').and.contain('LOG_LEVEL').and.contain('JWT_SECRET');
  });
});

const SERVICE_CLIENT = { SERVICE_CLIENT_ID: 'client-1', SERVICE_CLIENT_SECRET: 'secret-1' };

describe('asymmetric mode (the default)', () => {
  it('needs no shared secret and warns about none, even in production', () => {
    for (const load of [loadAuthConfig, loadBusinessConfig]) {
      const config = load({ NODE_ENV: 'production', ...SERVICE_CLIENT });
      expect(config.tokens.algorithm).to.equal('RS256');
      expect(config.tokens.sharedSecret).to.equal(undefined);
      expect(config.warnings.filter(notPlaintext)).to.deep.equal([]);
    }
  });

  it('refuses an unknown JWT_ALGORITHM', () => {
    expect(problemsOf(() => loadAuthConfig({ JWT_ALGORITHM: 'none' }))[0]).to.contain('JWT_ALGORITHM must be one of RS256, ES256, HS256');
  });
});

describe('loadBusinessConfig', () => {
  it('has safe development defaults', () => {
    const config = loadBusinessConfig({ JWT_ALGORITHM: 'HS256' });
    expect(config.listen).to.deep.equal({ host: '127.0.0.1', port: 50052 });
    expect(config.dbPath).to.equal('data/business.db');
    expect(config.tokens.sharedSecret).to.equal(DEV_JWT_SECRET);
    expect(config.tokens.clockSkewSeconds).to.equal(30);
    expect(config.noteQuota).to.deep.equal({ maxBytes: 64 * 1024 * 1024, writesPerSecond: 10, writeBurst: 50 });
    expect(config.warnings).to.have.length(1);
  });

  it('reads the per-user note quota and refuses values outside its ranges', () => {
    const config = loadBusinessConfig({ JWT_ALGORITHM: 'HS256', NOTE_BYTES_PER_USER: '1048576', NOTE_WRITES_PER_SECOND: '2', NOTE_WRITE_BURST: '5', NOTE_CHANGES_RETENTION_SECONDS: '10' });
    expect(config.noteQuota).to.deep.equal({ maxBytes: 1_048_576, writesPerSecond: 2, writeBurst: 5 });
    expect(config.noteChangesRetentionSeconds).to.equal(10);
    expect(problemsOf(() => loadBusinessConfig({ JWT_ALGORITHM: 'HS256', NOTE_BYTES_PER_USER: '1000', NOTE_WRITES_PER_SECOND: '0', NOTE_WRITE_BURST: '-1', NOTE_CHANGES_RETENTION_SECONDS: '9' }))).to.deep.equal([
      'NOTE_CHANGES_RETENTION_SECONDS must be an integer from 10 to 604800 (got "9")',
      'NOTE_BYTES_PER_USER must be an integer from 262144 to 1099511627776 (got "1000")',
      'NOTE_WRITES_PER_SECOND must be an integer from 1 to 10000 (got "0")',
      'NOTE_WRITE_BURST must be an integer from 1 to 100000 (got "-1")',
    ]);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(problemsOf(() => loadBusinessConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', ...SERVICE_CLIENT }))).to.deep.equal([
      'JWT_SECRET must be set in production (the built-in dev default is public)',
    ]);
  });

  it('refuses to start in production without service client credentials (revocations must reach it)', () => {
    expect(problemsOf(() => loadBusinessConfig({ NODE_ENV: 'production' }))).to.deep.equal([
      'SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set in production (see npm run service-clients)',
    ]);
  });

  it('refuses a service client id without its secret, and the other way round', () => {
    for (const env of [{ SERVICE_CLIENT_ID: 'abc' }, { SERVICE_CLIENT_SECRET: 'xyz' }]) {
      expect(problemsOf(() => loadBusinessConfig(env))).to.deep.equal(['SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set together']);
    }
  });

  it('runs without a service client in development (no revocations, no display names)', () => {
    expect(loadBusinessConfig({}).serviceClient).to.equal(undefined);
    expect(loadBusinessConfig(SERVICE_CLIENT).serviceClient).to.deep.equal({ clientId: 'client-1', clientSecret: 'secret-1' });
  });

  it('starts in production with a real secret', () => {
    const config = loadBusinessConfig({ JWT_ALGORITHM: 'HS256', NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET, BUSINESS_PORT: '7000', ...SERVICE_CLIENT });
    expect(config.listen.port).to.equal(7000);
    expect(config.warnings.filter(notPlaintext)).to.deep.equal([]);
  });

  it('refuses an out-of-range clock skew', () => {
    expect(problemsOf(() => loadBusinessConfig({ JWT_ALGORITHM: 'HS256', JWT_CLOCK_SKEW_SECONDS: '301' }))).to.deep.equal([
      'JWT_CLOCK_SKEW_SECONDS must be an integer from 0 to 300 (got "301")',
    ]);
  });
});
