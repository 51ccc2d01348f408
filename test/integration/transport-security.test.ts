import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status, type ChannelCredentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { authenticationInterceptor, createAuthenticate, INFRASTRUCTURE_POLICIES, StaticKeySet, tokenVerifier } from '@grpc-token-auth/server-kit';
import { createAuthClient, createClient, createDashboardClient, tlsCredentials } from '@grpc-token-auth/sdk';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../../gen/grpc/health/v1/health.js';
import { startGrpcServer, type RunningServer } from '../../lib/grpc/server.js';
import { serverCredentials } from '../../lib/grpc/tls-credentials.js';
import { spawnService } from '../../scripts/support/service-process.js';
import { createTestPki, writeTestPki, type TestPkiFiles } from '../support/certificates.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { mutualTlsEnv, startSystem, testEnv, type RunningSystem } from '../support/system.js';
import { testTransport } from '../support/in-process-server.js';

/** Deadline that only stops a broken test from hanging; every assertion is on the status code. */
const CALL_BOUND_MS = 10_000;

/** Health/Check over `creds`: SERVING on success, the gRPC error otherwise. */
async function check(address: string, creds: ChannelCredentials): Promise<HealthCheckResponse_ServingStatus> {
  const health = createClient(HealthDefinition, address, { credentials: creds });
  try {
    const res = await health.check({ service: '' }, { timeoutMs: CALL_BOUND_MS });
    return res.status;
  } finally {
    health.close();
  }
}

describe('transport security', () => {
  let files: TestPkiFiles;
  before(async () => (files = writeTestPki(await createTestPki())));
  after(() => files?.remove());

  describe('in process: TLS and mutual TLS on a grpc-js server', () => {
    const log = pino({ level: 'silent' });
    let tlsServer: RunningServer;
    let mtlsServer: RunningServer;
    const start = (clientCa?: Buffer, identity = files.pki.server) =>
      startGrpcServer({
        host: '127.0.0.1',
        port: 0,
        log,
        transport: testTransport(),
        services: [],
        authentication: authenticationInterceptor(createAuthenticate(INFRASTRUCTURE_POLICIES, tokenVerifier({ keys: new StaticKeySet([]), issuer: 'i', audience: 'a', clockSkewSeconds: 0 }))),
        credentials: serverCredentials({ identity, ...(clientCa && { clientCa }) }),
      });
    const tlsAt = () => `127.0.0.1:${tlsServer.port}`;
    const mtlsAt = () => `127.0.0.1:${mtlsServer.port}`;

    before(async () => {
      tlsServer = await start();
      mtlsServer = await start(files.pki.ca.cert);
    });
    after(async () => {
      await tlsServer?.shutdown(1000);
      await mtlsServer?.shutdown(1000);
    });

    it('a client trusting the server CA connects (CA given as a Buffer)', async () => {
      expect(await check(tlsAt(), tlsCredentials({ ca: files.pki.ca.cert }))).to.equal(HealthCheckResponse_ServingStatus.SERVING);
    });

    it('also by host name: the certificate names localhost', async () => {
      expect(await check(`localhost:${tlsServer.port}`, tlsCredentials({ ca: files.pki.ca.cert }))).to.equal(HealthCheckResponse_ServingStatus.SERVING);
    });

    it('a client trusting another CA is refused (UNAVAILABLE)', async () => {
      await expectStatus(check(tlsAt(), tlsCredentials({ ca: files.pki.otherCa.cert })), status.UNAVAILABLE);
    });

    it('a client trusting only the system roots is refused: a private CA is not trusted implicitly', async () => {
      await expectStatus(check(tlsAt(), tlsCredentials()), status.UNAVAILABLE);
    });

    it('a plaintext client cannot talk to a TLS server', async () => {
      await expectStatus(check(tlsAt(), credentials.createInsecure()), status.UNAVAILABLE);
    });

    it('the server-name override is checked: the right name connects, a name not in the certificate is refused', async () => {
      expect(await check(tlsAt(), tlsCredentials({ ca: files.pki.ca.cert, serverName: 'localhost' }))).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      await expectStatus(check(tlsAt(), tlsCredentials({ ca: files.pki.ca.cert, serverName: 'auth.evil.example' })), status.UNAVAILABLE);
    });

    it('mutual TLS: a client with a certificate from the CA connects (PEM file paths)', async () => {
      const creds = tlsCredentials({ ca: files.path('ca.crt'), cert: files.path('client.crt'), key: files.path('client.key') });
      expect(await check(mtlsAt(), creds)).to.equal(HealthCheckResponse_ServingStatus.SERVING);
    });

    it('mutual TLS: a client without a certificate is refused', async () => {
      await expectStatus(check(mtlsAt(), tlsCredentials({ ca: files.pki.ca.cert })), status.UNAVAILABLE);
    });

    it('mutual TLS: a client whose certificate comes from another CA is refused', async () => {
      const { cert, key } = files.pki.strangerClient;
      await expectStatus(check(mtlsAt(), tlsCredentials({ ca: files.pki.ca.cert, cert, key })), status.UNAVAILABLE);
    });

    it('mutual TLS: a self-signed client certificate is refused', async () => {
      // The other CA's own certificate and key: self-signed, not issued by the trusted CA.
      const { cert, key } = files.pki.otherCa;
      await expectStatus(check(mtlsAt(), tlsCredentials({ ca: files.pki.ca.cert, cert, key })), status.UNAVAILABLE);
    });

    it('by IP address, the certificate must name that IP (no TLS server name is sent for an IP: Node 26 refuses one)', async () => {
      const byNameOnly = await start(undefined, files.pki.serverByNameOnly);
      try {
        const creds = tlsCredentials({ ca: files.pki.ca.cert });
        await expectStatus(check(`127.0.0.1:${byNameOnly.port}`, creds), status.UNAVAILABLE);
        expect(await check(`localhost:${byNameOnly.port}`, creds)).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      } finally {
        await byNameOnly.shutdown(1000);
      }
    });

    it('tlsCredentials refuses a certificate without its key', () => {
      expect(() => tlsCredentials({ ca: files.pki.ca.cert, cert: files.pki.client.cert })).to.throw(TypeError, /cert and key go together/);
    });
  });

  describe('real processes with TLS settings', () => {
    let sys: RunningSystem;
    const user = { email: 'tls-user@example.com', password: 'correct-horse-battery-staple', displayName: 'TLS User' };

    before(async () => {
      const tls = mutualTlsEnv(files);
      sys = await startSystem({}, tls);
    });
    after(async () => sys?.stop());

    it('business-svc fetched its verification keys from auth-svc over mutual TLS', () => {
      const loaded = sys.business.output
        .filter((line) => line.startsWith('{')) // grpc-js makes Node print a DEP0123 notice for IP targets over TLS
        .map((line) => JSON.parse(line) as { msg?: string; keys?: number })
        .find((entry) => entry.msg === 'verification keys loaded');
      expect(loaded?.keys).to.be.greaterThan(0);
      expect(sys.business.output.join('\n')).to.not.include('could not refresh verification keys');
    });

    it('a token from Login (mutual TLS to auth-svc) is accepted by business-svc over TLS', async () => {
      const clientCert = tlsCredentials({ ca: files.path('ca.crt'), cert: files.path('client.crt'), key: files.path('client.key') });
      const auth = createAuthClient(sys.authAddress, { credentials: clientCert });
      await auth.register(user);
      const { accessToken } = await auth.login({ email: user.email, password: user.password });
      auth.close();

      const dashboard = createDashboardClient(sys.businessAddress, { credentials: tlsCredentials({ ca: files.path('ca.crt') }) });
      const view = await dashboard.getDashboard({}, { metadata: bearer(accessToken) });
      expect(view.userId).to.be.a('string').and.not.equal('');
      dashboard.close();
    });

    it('the processes really serve TLS: plaintext is refused by both, and auth-svc refuses a client without a certificate', async () => {
      await expectStatus(check(sys.authAddress, credentials.createInsecure()), status.UNAVAILABLE);
      await expectStatus(check(sys.businessAddress, credentials.createInsecure()), status.UNAVAILABLE);
      await expectStatus(check(sys.authAddress, tlsCredentials({ ca: files.pki.ca.cert })), status.UNAVAILABLE);
    });

    it('business-svc without a client certificate cannot fetch keys from the mutual-TLS auth-svc, and says so', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tls-'));
      const { AUTH_TLS_CLIENT_CERT_PATH: _c, AUTH_TLS_CLIENT_KEY_PATH: _k, ...noClientCert } = mutualTlsEnv(files).business;
      const business = await spawnService('business-svc', {
        env: testEnv(dir, { ...noClientCert, AUTH_ADDRESS: sys.authAddress, KEYS_MIN_FETCH_INTERVAL_MS: '60000' }),
      });
      try {
        expect(business.output.join('\n')).to.include('could not refresh verification keys');
      } finally {
        await business.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('configuration errors stop the process with exit code 78, listing every problem', () => {
    const startFails = async (name: 'auth-svc' | 'business-svc', extra: NodeJS.ProcessEnv): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), 'tls-cfg-'));
      try {
        const err = await spawnService(name, { env: testEnv(dir, extra) }).then(
          async (s) => (await s.stop(), undefined),
          (e: Error) => e,
        );
        expect(err?.message).to.match(/exited with code 78/);
        return err!.message;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('auth-svc: a certificate without a key, and a client CA file that does not exist', async () => {
      const message = await startFails('auth-svc', { TLS_CERT_PATH: files.path('server.crt'), TLS_CLIENT_CA_PATH: files.path('nope.crt') });
      expect(message).to.include('TLS_CERT_PATH and TLS_KEY_PATH must be set together (got only TLS_CERT_PATH)');
      expect(message).to.include(`TLS_CLIENT_CA_PATH: cannot read ${files.path('nope.crt')} (ENOENT)`);
    });

    it('business-svc: a missing key file, and a client certificate for auth-svc without the CA', async () => {
      const message = await startFails('business-svc', {
        TLS_CERT_PATH: files.path('server.crt'),
        TLS_KEY_PATH: files.path('missing.key'),
        AUTH_TLS_CLIENT_CERT_PATH: files.path('client.crt'),
        AUTH_TLS_CLIENT_KEY_PATH: files.path('client.key'),
      });
      expect(message).to.include(`TLS_KEY_PATH: cannot read ${files.path('missing.key')} (ENOENT)`);
      expect(message).to.include('AUTH_TLS_CLIENT_CERT_PATH needs AUTH_TLS_CA_PATH');
      expect(message).to.include('AUTH_TLS_CLIENT_KEY_PATH needs AUTH_TLS_CA_PATH');
    });
  });
});
