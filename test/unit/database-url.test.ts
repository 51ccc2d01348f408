import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { redactedUrl, sameDatabase } from '../../lib/config/database-url.js';
import { ConfigError } from '../../lib/config/env-reader.js';

describe('DATABASE_URL (auth-svc store selection)', () => {
  it('is unset by default: the SQLite file at AUTH_DB_PATH', () => {
    expect(loadAuthConfig({}).databaseUrl).to.equal(undefined);
    expect(loadAuthConfig({ DATABASE_URL: '' }).databaseUrl).to.equal(undefined);
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    for (const url of ['postgres://auth:pw@db.internal:5432/auth', 'postgresql://db.internal/auth?sslmode=require']) {
      expect(loadAuthConfig({ DATABASE_URL: url }).databaseUrl).to.equal(url);
    }
  });

  it('refuses other schemes without echoing the value (it may hold a password)', () => {
    let error: unknown;
    try {
      loadAuthConfig({ DATABASE_URL: 'mysql://root:hunter2@db/auth' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(String(error)).to.include('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(String(error)).not.to.include('hunter2');
  });

  it('is logged with its password masked', () => {
    expect(redactedUrl('postgres://auth:s3cret@db.internal:5432/auth')).to.equal('postgres://auth:***@db.internal:5432/auth');
    expect(redactedUrl('postgres://db.internal/auth')).to.equal('postgres://db.internal/auth');
    expect(redactedUrl('postgres://auth:s3cret@[bad')).to.not.include('s3cret');
  });
});

describe('BUSINESS_DATABASE_URL (business-svc store selection)', () => {
  const problemsOf = (env: NodeJS.ProcessEnv): string => {
    try {
      loadBusinessConfig(env);
      return '';
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      return String(err);
    }
  };

  it('is unset by default: the SQLite file at BUSINESS_DB_PATH', () => {
    expect(loadBusinessConfig({}).databaseUrl).to.equal(undefined);
  });

  it('accepts a PostgreSQL URL of its own, and refuses other schemes without echoing the value', () => {
    expect(loadBusinessConfig({ BUSINESS_DATABASE_URL: 'postgres://notes:pw@db:5432/business' }).databaseUrl).to.equal('postgres://notes:pw@db:5432/business');
    const problems = problemsOf({ BUSINESS_DATABASE_URL: 'mysql://root:hunter2@db/business' });
    expect(problems).to.include('BUSINESS_DATABASE_URL must be a postgres:// or postgresql:// URL').and.not.include('hunter2');
  });

  it("refuses auth-svc's database (DATABASE_URL in the same environment), whatever user or spelling names it", () => {
    const auth = 'postgres://auth:s3cret@127.0.0.1:5432/auth';
    for (const same of [auth, 'postgres://notes:other@localhost/auth', 'postgresql://auth@127.0.0.1:5432/auth?sslmode=disable']) {
      const problems = problemsOf({ DATABASE_URL: auth, BUSINESS_DATABASE_URL: same });
      expect(problems, same).to.include("BUSINESS_DATABASE_URL names auth-svc's database (DATABASE_URL)");
      expect(problems).not.to.include('s3cret').and.not.include('other');
    }
    for (const own of ['postgres://notes:pw@127.0.0.1:5432/business', 'postgres://auth:pw@127.0.0.1:5433/auth', 'postgres://auth:pw@db.internal/auth']) {
      expect(loadBusinessConfig({ DATABASE_URL: auth, BUSINESS_DATABASE_URL: own }).databaseUrl, own).to.equal(own);
    }
  });

  it('compares databases by server and name: the database defaults to the user name, as in libpq', () => {
    expect(sameDatabase('postgres://auth@db/auth', 'postgres://auth@db:5432')).to.equal(true);
    expect(sameDatabase('postgres://a@db/x', 'postgres://a@db/y')).to.equal(false);
    expect(sameDatabase('postgres:///auth?host=/run/postgresql', 'postgres:///auth?host=/run/postgresql&user=x')).to.equal(true);
    expect(sameDatabase('postgres://a@[bad', 'postgres://a@db/x')).to.equal(false);
  });
});
