import { Client, credentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { balancedServiceConfig, channelTarget, IDEMPOTENT_METHODS, loadBalancingChannelOptions } from '@grpc-token-auth/sdk';
import { AuthServiceService } from '../../gen/auth/v1/auth_service.js';
import { KeysServiceService } from '../../gen/auth/v1/keys_service.js';
import { RevocationServiceService } from '../../gen/auth/v1/revocation_service.js';
import { UserDirectoryService } from '../../gen/auth/v1/user_directory.js';
import { DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '../../gen/business/v1/notes_service.js';

interface MethodDefinition {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}
const ALL_SERVICES = [AuthServiceService, KeysServiceService, RevocationServiceService, UserDirectoryService, DashboardServiceService, NotesServiceService];
const ALL_METHODS: MethodDefinition[] = ALL_SERVICES.flatMap((s) => Object.values(s) as MethodDefinition[]);

interface RetryConfig {
  loadBalancingConfig: object[];
  methodConfig: { name: { service: string; method: string }[]; retryPolicy: { retryableStatusCodes: string[]; maxAttempts: number } }[];
}

describe('SDK retry policy: idempotent methods only', () => {
  it('never retries a method that changes state or consumes a credential', () => {
    const unsafe = [
      ...Object.values(AuthServiceService).map((m) => m.path), // Register, Login, Refresh, Logout*, ChangePassword, IssueServiceToken
      NotesServiceService.createNote.path,
      NotesServiceService.updateNote.path,
      NotesServiceService.deleteNote.path,
    ];
    expect(unsafe).to.include.members(['/auth.v1.AuthService/Refresh', '/auth.v1.AuthService/Login', '/auth.v1.AuthService/IssueServiceToken']);
    for (const path of unsafe) expect(IDEMPOTENT_METHODS, path).to.not.include(path);
  });

  it('never retries a stream (its watcher reconnects itself)', () => {
    const streams = ALL_METHODS.filter((m) => m.requestStream || m.responseStream).map((m) => m.path);
    expect(streams).to.have.length.greaterThan(0);
    for (const path of streams) expect(IDEMPOTENT_METHODS, path).to.not.include(path);
  });

  it('lists exactly the reads, each an existing method, once', () => {
    expect([...IDEMPOTENT_METHODS].sort()).to.deep.equal(
      [
        '/auth.v1.KeysService/ListPublicKeys',
        '/auth.v1.UserDirectory/GetUser',
        '/business.v1.DashboardService/GetDashboard',
        '/business.v1.NotesService/GetNote',
        '/business.v1.NotesService/ListNotes',
      ].sort(),
    );
    expect(ALL_METHODS.map((m) => m.path)).to.include.members([...IDEMPOTENT_METHODS]);
  });

  it('the service config balances round_robin and retries exactly that list, on UNAVAILABLE only', () => {
    const config = balancedServiceConfig() as RetryConfig;
    expect(config.loadBalancingConfig).to.deep.equal([{ round_robin: {} }]);
    expect(config.methodConfig).to.have.length(1);
    const [only] = config.methodConfig;
    expect(only!.name.map((n) => `/${n.service}/${n.method}`)).to.deep.equal([...IDEMPOTENT_METHODS]);
    expect(only!.retryPolicy.retryableStatusCodes).to.deep.equal(['UNAVAILABLE']);
    expect(only!.retryPolicy.maxAttempts).to.be.within(2, 5); // grpc-js caps at 5
  });

  it('grpc-js accepts the service config (it throws on an invalid one)', () => {
    const client = new Client(channelTarget(['127.0.0.1:1', '127.0.0.1:2']), credentials.createInsecure(), loadBalancingChannelOptions());
    client.close();
  });
});

describe('channelTarget', () => {
  it('passes one address or DNS name through (grpc-js resolves every record)', () => {
    expect(channelTarget('business.internal:50052')).to.equal('business.internal:50052');
    expect(channelTarget('dns:///business.internal:50052')).to.equal('dns:///business.internal:50052');
    expect(channelTarget(['127.0.0.1:7'])).to.equal('127.0.0.1:7');
  });

  it('joins several IPv4 or several IPv6 replicas into one ipv4:/ipv6: target', () => {
    expect(channelTarget(['127.0.0.1:1', '127.0.0.1:2', '10.0.0.3:3'])).to.equal('ipv4:127.0.0.1:1,127.0.0.1:2,10.0.0.3:3');
    expect(channelTarget(['[::1]:1', '[::1]:2'])).to.equal('ipv6:[::1]:1,[::1]:2');
  });

  it('refuses lists it cannot express, with a message saying what to do', () => {
    expect(() => channelTarget([])).to.throw(TypeError, /at least one/);
    expect(() => channelTarget(['a.internal:1', 'b.internal:1'])).to.throw(TypeError, /one DNS name/);
    expect(() => channelTarget(['127.0.0.1:1', '[::1]:2'])).to.throw(TypeError, /all be IPv4 .* or all IPv6/);
    expect(() => channelTarget(['127.0.0.1', '127.0.0.1:2'])).to.throw(TypeError); // port missing
  });
});
