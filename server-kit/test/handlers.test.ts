import { status } from '@grpc/grpc-js';
import { ClientError } from '@grpc-token-auth/sdk';
import { expect } from 'chai';
import { ANY_USER, authenticationInterceptor, createAuthenticate, publicUnary, serverStream, ServerError, unary, type Logger } from '../dist/index.js';
import { bearer, failure, SAY, startEcho, token, verify, WATCH, drain, type Echo, type RunningEcho } from './support/echo.js';

const errors: { fields: object; message: string | undefined }[] = [];
const log: Logger = { info: () => undefined, warn: () => undefined, error: (fields, message) => errors.push({ fields, message }), isLevelEnabled: () => true };

/** What the handler throws, by request text. */
function thrown(text: string): unknown {
  switch (text) {
    case 'server-error':
      return new ServerError(status.FAILED_PRECONDITION, 'note is archived', { 'retry-after': '5' });
    case 'downstream':
      // A downstream service refused *its* caller: that is not our caller's status.
      return new ClientError(status.UNAUTHENTICATED, 'session has been revoked', { metadata: bearer('x', { 'auth-failure-reason': 'revoked' }) });
    case 'service-error-shape':
      return Object.assign(new Error('raw grpc error'), { code: status.NOT_FOUND, details: 'not found', metadata: bearer('x') });
    case 'unreachable':
      return Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    default:
      return new Error('a bug');
  }
}

describe('handler adapters and ServerError', () => {
  let echo: RunningEcho;
  before(async () => {
    const toServerError = (err: unknown) => ((err as { code?: unknown }).code === 'ECONNREFUSED' ? new ServerError(status.UNAVAILABLE, 'retry') : undefined);
    echo = await startEcho([authenticationInterceptor(createAuthenticate({ [SAY]: ANY_USER, [WATCH]: ANY_USER }, verify))], {
      say: unary<Echo, Echo>(
        async (req, { principal }) => {
          if (req.text === 'ok') return { text: `hello ${principal.subject}` };
          throw thrown(req.text);
        },
        { log, toServerError },
      ),
      watch: serverStream<Echo, Echo>(async () => {
        throw new ServerError(status.PERMISSION_DENIED, 'not yours');
      }, { log }),
    });
  });
  after(() => echo.stop());
  beforeEach(() => (errors.length = 0));

  it('hands the handler the principal and returns its answer', async () => {
    expect((await echo.client.say('ok', bearer(token('dave')))).reply.text).to.equal('hello dave');
  });

  it('sends a ServerError as it is: code, message and trailers', async () => {
    const err = await failure(echo.client.say('server-error', bearer(token())));
    expect([err.code, err.details, err.metadata.get('retry-after')]).to.deep.equal([status.FAILED_PRECONDITION, 'note is archived', ['5']]);
    expect(errors).to.deep.equal([]);
  });

  for (const kind of ['downstream', 'service-error-shape']) {
    it(`never forwards a ${kind} failure's status or trailers: INTERNAL, logged`, async () => {
      const err = await failure(echo.client.say(kind, bearer(token())));
      expect([err.code, err.details]).to.deep.equal([status.INTERNAL, 'internal error']);
      expect(err.metadata.get('auth-failure-reason')).to.deep.equal([]);
      expect(errors.map((e) => e.message)).to.deep.equal(['handler failed']);
    });
  }

  it('maps failures through toServerError when it knows them', async () => {
    const err = await failure(echo.client.say('unreachable', bearer(token())));
    expect([err.code, err.details]).to.deep.equal([status.UNAVAILABLE, 'retry']);
  });

  it('answers a bug INTERNAL without revealing it', async () => {
    const err = await failure(echo.client.say('bug', bearer(token())));
    expect([err.code, err.details]).to.deep.equal([status.INTERNAL, 'internal error']);
  });

  it('ends a server stream with the ServerError its handler threw', async () => {
    const { error } = await drain(echo.client.watch('x', bearer(token())));
    expect([error?.code, error?.details]).to.deep.equal([status.PERMISSION_DENIED, 'not yours']);
  });

  it('publicUnary: no principal needed', async () => {
    const server = await startEcho([], { say: publicUnary<Echo, Echo>((req) => ({ text: req.text.toUpperCase() })), watch: () => undefined });
    try {
      expect((await server.client.say('loud')).reply.text).to.equal('LOUD');
    } finally {
      await server.stop();
    }
  });
});
