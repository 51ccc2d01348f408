import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ANY_USER,
  auditObserver,
  authenticationInterceptor,
  createAuthenticate,
  PUBLIC,
  serverInterceptors,
  userWithRole,
  type AuditedDecisions,
  type AuthzAuditEvent,
  type Logger,
} from '../dist/index.js';
import { bearer, drain, failure, SAY, startEcho, token, verify, WATCH, type RunningEcho } from './support/echo.js';

const echoes = {
  say: (_call: unknown, callback: (err: null, value: { text: string }) => void) => callback(null, { text: 'ok' }),
  watch: (call: { end(): void }) => call.end(),
};

async function echoWithAudit(decisions: AuditedDecisions, policies: Record<string, never> | object, sink: (e: AuthzAuditEvent) => void): Promise<RunningEcho> {
  const table = policies as Parameters<typeof createAuthenticate>[0];
  return startEcho(
    serverInterceptors({
      authentication: authenticationInterceptor(createAuthenticate(table, verify)),
      observers: [auditObserver({ policies: table, policyName: 'echo', decisions, sink })],
      maxMetadataBytes: 2048,
    }),
    echoes,
  );
}

/** A logger that keeps its lines. */
function keptLines(): Logger & { lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[] = [];
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), isLevelEnabled: () => true };
}

describe('auditObserver: authorization decisions in the shape of gRFC A59', () => {
  it('by default (denials) writes one event per refusal — method, principal, policy entry, not authorized — and none for allowed calls', async () => {
    const events: AuthzAuditEvent[] = [];
    const echo = await echoWithAudit('denials', { [SAY]: userWithRole('admin'), [WATCH]: ANY_USER }, (e) => events.push(e));
    try {
      const alice = token('alice');
      expect((await failure(echo.client.say('hi', bearer(alice)))).code).to.equal(status.PERMISSION_DENIED);
      expect((await failure(echo.client.say('hi'))).code).to.equal(status.UNAUTHENTICATED);
      await drain(echo.client.watch('x', bearer(alice)));
      expect(events).to.deep.equal([
        { fullMethodName: SAY, principal: { kind: 'user', subject: 'alice' }, policyName: 'echo', matchedRule: 'user(roles=admin)', authorized: false, reason: 'forbidden' },
        { fullMethodName: SAY, principal: { kind: 'anonymous', subject: undefined }, policyName: 'echo', matchedRule: 'user(roles=admin)', authorized: false, reason: 'missing' },
      ]);
      expect(JSON.stringify(events)).to.not.include(alice.split('.')[1]!);
    } finally {
      await echo.stop();
    }
  });

  it('with `all` writes allowed calls too (public ones as anonymous), and a method outside the table as rule `none`', async () => {
    const events: AuthzAuditEvent[] = [];
    const echo = await echoWithAudit('all', { [SAY]: PUBLIC }, (e) => events.push(e));
    try {
      await echo.client.say('hi');
      expect((await drain(echo.client.watch('x', bearer(token('bob'))))).error?.code).to.equal(status.PERMISSION_DENIED);
      expect(events).to.deep.equal([
        { fullMethodName: SAY, principal: { kind: 'anonymous', subject: undefined }, policyName: 'echo', matchedRule: 'public', authorized: true, reason: undefined },
        { fullMethodName: WATCH, principal: { kind: 'anonymous', subject: undefined }, policyName: 'echo', matchedRule: 'none', authorized: false, reason: 'no_policy' },
      ]);
    } finally {
      await echo.stop();
    }
  });

  it('with `off` writes nothing; a call a limit refused before authentication is no decision', async () => {
    const events: AuthzAuditEvent[] = [];
    const off = await echoWithAudit('off', { [SAY]: ANY_USER }, (e) => events.push(e));
    const all = await echoWithAudit('all', { [SAY]: ANY_USER }, (e) => events.push(e));
    try {
      await failure(off.client.say('hi'));
      expect(events).to.deep.equal([]);
      const padded = bearer(token('carol'), { 'x-padding': 'p'.repeat(4000) });
      expect((await failure(all.client.say('hi', padded))).code).to.equal(status.RESOURCE_EXHAUSTED);
      expect(events).to.deep.equal([]);
    } finally {
      await off.stop();
      await all.stop();
    }
  });

  it('writes its lines rate-limited: past maxLinesPerSecond they are counted in one warning', async () => {
    const log = keptLines();
    const policies = { [SAY]: ANY_USER };
    const echo = await startEcho(
      serverInterceptors({
        authentication: authenticationInterceptor(createAuthenticate(policies, verify)),
        observers: [auditObserver({ policies, policyName: 'echo', log, maxLinesPerSecond: 3 })],
      }),
      echoes,
    );
    try {
      for (let i = 0; i < 8; i++) await failure(echo.client.say('hi', bearer('garbage')));
      const audits = log.lines.filter((l) => l.message === 'authz decision');
      expect(audits).to.have.length(3);
      expect(audits[0]!.fields).to.deep.include({ audit: 'authz', method: SAY, principal: 'anonymous', policy: 'echo', rule: 'user', authorized: false, reason: 'malformed' });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const warning = log.lines.find((l) => l.level === 'warn');
      expect(warning?.fields).to.deep.equal({ left: 5 });
    } finally {
      await echo.stop();
    }
  });
});
