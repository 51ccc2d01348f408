import { Metadata, status, type InterceptingListener, type InterceptorOptions, type NextCall, type StatusObject } from '@grpc/grpc-js';
import { expect } from 'chai';
import { midResponseRetryInterceptor } from '@grpc-token-auth/sdk';
import { AuthServiceService } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { DashboardServiceService } from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';

/** What one attempt does once the request is half-closed. */
interface Outcome {
  readonly headers: boolean;
  readonly code: status;
  readonly response?: string;
}

/** A scripted stand-in for the rest of the grpc-js call stack: one outcome per attempt. */
function scriptedCalls(outcomes: Outcome[]) {
  const attempts: { metadata: Metadata; messages: unknown[] }[] = [];
  const nextCall = (() => {
    const outcome = outcomes[attempts.length] ?? { headers: false, code: status.INTERNAL };
    const attempt = { metadata: new Metadata(), messages: [] as unknown[] };
    attempts.push(attempt);
    let listener: Partial<InterceptingListener> = {};
    return {
      start(metadata: Metadata, l?: Partial<InterceptingListener>) {
        attempt.metadata = metadata;
        listener = l ?? {};
      },
      sendMessage: (m: unknown) => attempt.messages.push(m),
      sendMessageWithContext: (_c: unknown, m: unknown) => attempt.messages.push(m),
      startRead: () => undefined,
      halfClose() {
        setImmediate(() => {
          if (outcome.headers) listener.onReceiveMetadata?.(new Metadata());
          if (outcome.response !== undefined) listener.onReceiveMessage?.(outcome.response);
          listener.onReceiveStatus?.(statusOf(outcome.code));
        });
      },
      // A cancel racing the replica's death: the attempt still ends as scripted.
      cancelWithStatus: () => undefined,
      getPeer: () => 'fake',
      getAuthContext: () => null,
    };
  }) as unknown as NextCall;
  return { nextCall, attempts };
}

function statusOf(code: status): StatusObject {
  return { code, details: status[code]!, metadata: new Metadata() };
}

/** Runs one call through the interceptor; resolves with what the caller saw. */
function run(method: { path: string; requestStream: boolean; responseStream: boolean }, outcomes: Outcome[], opts: { cancel?: boolean } = {}) {
  const { nextCall, attempts } = scriptedCalls(outcomes);
  const call = midResponseRetryInterceptor()({ method_definition: method } as InterceptorOptions, nextCall);
  const metadata = new Metadata();
  metadata.set('authorization', 'Bearer t');
  return new Promise<{ code: status; responses: unknown[]; attempts: typeof attempts }>((resolve) => {
    const responses: unknown[] = [];
    call.start(metadata, {
      onReceiveMessage: (m: unknown) => responses.push(m),
      onReceiveStatus: (s: StatusObject) => resolve({ code: s.code, responses, attempts }),
    });
    call.sendMessage('request');
    if (opts.cancel) call.cancelWithStatus(status.CANCELLED, 'cancelled by caller');
    call.halfClose();
  });
}

const diedMidResponse: Outcome = { headers: true, code: status.UNAVAILABLE };
const answered: Outcome = { headers: true, code: status.OK, response: 'view' };

describe('midResponseRetryInterceptor', () => {
  it('runs an idempotent read again, with the same metadata and message, when its replica died after sending headers', async () => {
    const result = await run(DashboardServiceService.getDashboard, [diedMidResponse, answered]);
    expect(result.code).to.equal(status.OK);
    expect(result.responses).to.deep.equal(['view']);
    expect(result.attempts).to.have.length(2);
    expect(result.attempts[1]!.messages).to.deep.equal(['request']);
    expect(result.attempts[1]!.metadata.get('authorization')).to.deep.equal(['Bearer t']);
  });

  it('never repeats a call that is not idempotent (Refresh, Login, CreateNote)', async () => {
    for (const method of [AuthServiceService.refresh, AuthServiceService.login, NotesServiceService.createNote]) {
      const result = await run(method, [diedMidResponse, answered]);
      expect(result.code, method.path).to.equal(status.UNAVAILABLE);
      expect(result.attempts, method.path).to.have.length(1);
    }
  });

  it('leaves failures before headers to grpc-js retry policy (no extra attempts)', async () => {
    const result = await run(DashboardServiceService.getDashboard, [{ headers: false, code: status.UNAVAILABLE }, answered]);
    expect(result.code).to.equal(status.UNAVAILABLE);
    expect(result.attempts).to.have.length(1);
  });

  it('retries UNAVAILABLE only, not other errors', async () => {
    const result = await run(DashboardServiceService.getDashboard, [{ headers: true, code: status.INTERNAL }, answered]);
    expect(result.code).to.equal(status.INTERNAL);
    expect(result.attempts).to.have.length(1);
  });

  it('gives up after a bounded number of retries', async () => {
    const result = await run(NotesServiceService.getNote, Array(10).fill(diedMidResponse));
    expect(result.code).to.equal(status.UNAVAILABLE);
    expect(result.attempts).to.have.length(3);
  });

  it('does not retry a call the caller cancelled', async () => {
    const result = await run(DashboardServiceService.getDashboard, [diedMidResponse, answered], { cancel: true });
    expect(result.code).to.equal(status.UNAVAILABLE);
    expect(result.attempts).to.have.length(1);
  });

  it('passes streams through untouched', async () => {
    const result = await run(NotesServiceService.watchNotes, [diedMidResponse, answered]);
    expect(result.code).to.equal(status.UNAVAILABLE);
    expect(result.attempts).to.have.length(1);
  });
});
