import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { redactedUrl } from '../../lib/postgres/pool.js';
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
