import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { problemsOf } from './fixtures.js';

describe('verifier key source: auth-svc, JWKS_URL or OIDC_ISSUER_URL', () => {
  const jwks = 'https://id.example.com/.well-known/jwks.json';

  it('is auth-svc by default', () => {
    expect(loadBusinessConfig({}).keySource).to.equal(undefined);
  });

  it('JWKS_URL: checks the JWT_ISSUER it is given; no service client is needed, even in production', () => {
    const config = loadBusinessConfig({ JWKS_URL: jwks, JWT_ISSUER: 'https://id.example.com', NODE_ENV: 'production' });
    expect(config.keySource).to.deep.equal({ jwksUrl: jwks });
    expect(config.tokens.issuer).to.equal('https://id.example.com');
    expect(config.serviceClient).to.equal(undefined);
  });

  it('OIDC_ISSUER_URL: the issuer checked is that URL, and JWT_ISSUER may only repeat it', () => {
    const issuer = 'https://id.example.com/tenant';
    expect(loadBusinessConfig({ OIDC_ISSUER_URL: issuer }).tokens.issuer).to.equal(issuer);
    expect(loadBusinessConfig({ OIDC_ISSUER_URL: issuer, JWT_ISSUER: issuer }).keySource).to.deep.equal({ issuerUrl: issuer });
    expect(problemsOf(() => loadBusinessConfig({ OIDC_ISSUER_URL: issuer, JWT_ISSUER: 'auth-svc' }))).to.deep.equal(['JWT_ISSUER must equal OIDC_ISSUER_URL (or be unset)']);
  });

  it('refuses what would silently trust the wrong thing', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ JWKS_URL: jwks }, /JWKS_URL needs JWT_ISSUER/],
      [{ JWKS_URL: jwks, OIDC_ISSUER_URL: 'https://id.example.com', JWT_ISSUER: 'x' }, /not both/],
      [{ JWKS_URL: jwks, JWT_ISSUER: 'x', JWT_ALGORITHM: 'HS256', JWT_SECRET: 'a'.repeat(40) }, /not HS256/],
      [{ JWKS_URL: jwks, JWT_ISSUER: 'x', SERVICE_CLIENT_ID: 'c', SERVICE_CLIENT_SECRET: 's' }, /unset them with JWKS_URL/],
      [{ JWKS_URL: 'ftp://id.example.com/keys', JWT_ISSUER: 'x' }, /JWKS_URL must be an http\(s\) URL/],
      [{ JWKS_URL: 'https://user:pw@id.example.com/keys', JWT_ISSUER: 'x' }, /without credentials/],
      [{ OIDC_ISSUER_URL: 'not a url' }, /OIDC_ISSUER_URL must be an http\(s\) URL/],
    ];
    for (const [env, problem] of cases) expect(problemsOf(() => loadBusinessConfig(env)).join('\n'), JSON.stringify(env)).to.match(problem);
  });

  it('warns about plain http in production, except on loopback', () => {
    const env = { JWT_ISSUER: 'x', NODE_ENV: 'production' };
    expect(loadBusinessConfig({ ...env, JWKS_URL: 'http://id.example.com/keys' }).warnings.join('\n')).to.match(/JWKS_URL is plain http/);
    expect(loadBusinessConfig({ ...env, JWKS_URL: 'http://127.0.0.1:8080/keys' }).warnings.join('\n')).not.to.match(/plain http/);
  });
});

describe('auth-svc HTTP listener config', () => {
  it('defaults to 127.0.0.1:50080; takes a host and port; off turns it off', () => {
    expect(loadAuthConfig({}).http).to.deep.equal({ host: '127.0.0.1', port: 50080 });
    expect(loadAuthConfig({ AUTH_HTTP_HOST: '0.0.0.0', AUTH_HTTP_PORT: '8080' }).http).to.deep.equal({ host: '0.0.0.0', port: 8080 });
    expect(loadAuthConfig({ AUTH_HTTP_PORT: 'off' }).http).to.equal(undefined);
    expect(problemsOf(() => loadAuthConfig({ AUTH_HTTP_PORT: 'http' }))).to.deep.equal(['AUTH_HTTP_PORT must be a port from 0 to 65535, or "off" (got "http")']);
  });

  it('accepts a clean issuer URL and refuses one with a query, fragment or credentials', () => {
    expect(loadAuthConfig({ JWT_ISSUER: 'https://id.example.com/tenant' }).tokens.issuer).to.equal('https://id.example.com/tenant');
    for (const issuer of ['https://id.example.com/?a=1', 'https://id.example.com/#x', 'https://u:p@id.example.com', 'http://']) {
      expect(problemsOf(() => loadAuthConfig({ JWT_ISSUER: issuer })).join(), issuer).to.match(/JWT_ISSUER, when a URL/);
    }
  });
});
