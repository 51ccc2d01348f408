import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { ConfigError, EnvReader } from '../../lib/config/env-reader.js';
import { readClientTlsConfig, readServerTlsConfig } from '../../lib/config/tls-config.js';
import { createTestPki, writeTestPki, type TestPkiFiles } from '../support/certificates.js';

function problemsOf(env: EnvReader): readonly string[] {
  try {
    env.finish();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('TLS configuration', () => {
  let files: TestPkiFiles;
  before(async () => (files = writeTestPki(await createTestPki())));
  after(() => files?.remove());

  describe('server side (TLS_CERT_PATH / TLS_KEY_PATH / TLS_CLIENT_CA_PATH)', () => {
    it('is plaintext with no warning when nothing is set outside production', () => {
      const env = new EnvReader({});
      expect(readServerTlsConfig(env)).to.equal(undefined);
      expect(env.finish()).to.deep.equal([]);
    });

    it('warns (does not fail) when a production server runs plaintext', () => {
      const env = new EnvReader({ NODE_ENV: 'production' });
      expect(readServerTlsConfig(env)).to.equal(undefined);
      expect(env.finish().join('\n')).to.match(/PLAINTEXT/);
    });

    it('reads the certificate and key, and the client CA for mutual TLS, with no production warning', () => {
      const env = new EnvReader({ NODE_ENV: 'production', TLS_CERT_PATH: files.path('server.crt'), TLS_KEY_PATH: files.path('server.key') });
      const tls = readServerTlsConfig(env);
      expect(tls?.identity.cert.equals(files.pki.server.cert)).to.equal(true);
      expect(tls?.identity.key.equals(files.pki.server.key)).to.equal(true);
      expect(tls?.clientCa).to.equal(undefined);
      expect(env.finish()).to.deep.equal([]);

      const mutual = readServerTlsConfig(
        new EnvReader({ TLS_CERT_PATH: files.path('server.crt'), TLS_KEY_PATH: files.path('server.key'), TLS_CLIENT_CA_PATH: files.path('ca.crt') }),
      );
      expect(mutual?.clientCa?.equals(files.pki.ca.cert)).to.equal(true);
    });

    it('refuses a certificate without its key, and a key without its certificate', () => {
      for (const [set, file] of [
        ['TLS_CERT_PATH', 'server.crt'],
        ['TLS_KEY_PATH', 'server.key'],
      ] as const) {
        const env = new EnvReader({ [set]: files.path(file) });
        expect(readServerTlsConfig(env)).to.equal(undefined);
        expect(problemsOf(env)).to.deep.equal([`TLS_CERT_PATH and TLS_KEY_PATH must be set together (got only ${set})`]);
      }
    });

    it('refuses a client CA without a server certificate (no silent plaintext when mTLS was asked for)', () => {
      const env = new EnvReader({ TLS_CLIENT_CA_PATH: files.path('ca.crt') });
      readServerTlsConfig(env);
      expect(problemsOf(env)).to.deep.equal(['TLS_CLIENT_CA_PATH needs TLS_CERT_PATH and TLS_KEY_PATH (mutual TLS is on top of TLS)']);
    });

    it('lists every unreadable or wrong file at once, never printing their content', () => {
      const env = new EnvReader({
        TLS_CERT_PATH: files.path('server.key'), // a key where a certificate belongs
        TLS_KEY_PATH: files.path('missing.key'),
        TLS_CLIENT_CA_PATH: files.path('ca.key'),
      });
      expect(readServerTlsConfig(env)).to.equal(undefined);
      const problems = problemsOf(env);
      expect(problems).to.deep.equal([
        `TLS_CERT_PATH (${files.path('server.key')}) does not hold a PEM certificate`,
        `TLS_KEY_PATH: cannot read ${files.path('missing.key')} (ENOENT)`,
        `TLS_CLIENT_CA_PATH (${files.path('ca.key')}) does not hold a PEM certificate`,
      ]);
      expect(problems.join('\n')).to.not.include('PRIVATE KEY');
    });

    it('refuses a key that does not belong to the certificate', () => {
      const env = new EnvReader({ TLS_CERT_PATH: files.path('server.crt'), TLS_KEY_PATH: files.path('client.key') });
      expect(readServerTlsConfig(env)).to.equal(undefined);
      expect(problemsOf(env)).to.deep.equal(['TLS_KEY_PATH is not the private key of the certificate in TLS_CERT_PATH']);
    });

    it('refuses a file that is not a key where the key belongs', () => {
      const env = new EnvReader({ TLS_CERT_PATH: files.path('server.crt'), TLS_KEY_PATH: files.path('server.crt') });
      readServerTlsConfig(env);
      expect(problemsOf(env)).to.deep.equal([`TLS_KEY_PATH (${files.path('server.crt')}) does not hold an unencrypted PEM private key`]);
    });
  });

  describe('client side (AUTH_TLS_*)', () => {
    it('is plaintext when AUTH_TLS_CA_PATH is unset, with a warning in production', () => {
      const dev = new EnvReader({});
      expect(readClientTlsConfig(dev, 'AUTH', 'auth-svc')).to.equal(undefined);
      expect(dev.finish()).to.deep.equal([]);
      const prod = new EnvReader({ NODE_ENV: 'production' });
      expect(readClientTlsConfig(prod, 'AUTH', 'auth-svc')).to.equal(undefined);
      expect(prod.finish()).to.deep.equal(['AUTH_TLS_CA_PATH is not set: calls to auth-svc are PLAINTEXT']);
    });

    it('reads the CA, the client certificate and key, and the server-name override', () => {
      const env = new EnvReader({
        AUTH_TLS_CA_PATH: files.path('ca.crt'),
        AUTH_TLS_CLIENT_CERT_PATH: files.path('client.crt'),
        AUTH_TLS_CLIENT_KEY_PATH: files.path('client.key'),
        AUTH_TLS_SERVER_NAME: 'auth.internal',
      });
      const tls = readClientTlsConfig(env, 'AUTH', 'auth-svc');
      expect(tls?.ca?.equals(files.pki.ca.cert)).to.equal(true);
      expect(tls?.identity?.cert.equals(files.pki.client.cert)).to.equal(true);
      expect(tls?.serverName).to.equal('auth.internal');
      expect(env.finish()).to.deep.equal([]);
    });

    it('refuses client-certificate or server-name settings without the CA that turns TLS on', () => {
      const env = new EnvReader({
        AUTH_TLS_CLIENT_CERT_PATH: files.path('client.crt'),
        AUTH_TLS_CLIENT_KEY_PATH: files.path('client.key'),
        AUTH_TLS_SERVER_NAME: 'auth.internal',
      });
      expect(readClientTlsConfig(env, 'AUTH', 'auth-svc')).to.equal(undefined);
      expect(problemsOf(env)).to.deep.equal([
        'AUTH_TLS_CLIENT_CERT_PATH needs AUTH_TLS_CA_PATH (which turns TLS on for calls to auth-svc)',
        'AUTH_TLS_CLIENT_KEY_PATH needs AUTH_TLS_CA_PATH (which turns TLS on for calls to auth-svc)',
        'AUTH_TLS_SERVER_NAME needs AUTH_TLS_CA_PATH (which turns TLS on for calls to auth-svc)',
      ]);
    });

    it('refuses a client certificate without its key', () => {
      const env = new EnvReader({ AUTH_TLS_CA_PATH: files.path('ca.crt'), AUTH_TLS_CLIENT_CERT_PATH: files.path('client.crt') });
      readClientTlsConfig(env, 'AUTH', 'auth-svc');
      expect(problemsOf(env)).to.deep.equal([
        'AUTH_TLS_CLIENT_CERT_PATH and AUTH_TLS_CLIENT_KEY_PATH must be set together (got only AUTH_TLS_CLIENT_CERT_PATH)',
      ]);
    });
  });

  describe('service configs', () => {
    it('both services read the server settings; business-svc also reads its settings for auth-svc', () => {
      const server = { TLS_CERT_PATH: files.path('server.crt'), TLS_KEY_PATH: files.path('server.key') };
      expect(loadAuthConfig(server).tls?.identity.cert.equals(files.pki.server.cert)).to.equal(true);
      const business = loadBusinessConfig({ ...server, AUTH_TLS_CA_PATH: files.path('ca.crt') });
      expect(business.tls?.identity.cert.equals(files.pki.server.cert)).to.equal(true);
      expect(business.authTls?.ca?.equals(files.pki.ca.cert)).to.equal(true);
      expect(loadAuthConfig({}).tls).to.equal(undefined);
      expect(loadBusinessConfig({}).authTls).to.equal(undefined);
    });
  });
});
