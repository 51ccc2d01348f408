import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';

/** Awaits a call that must fail, and checks its status code (and details, when given). */
export async function expectStatus(promise: Promise<unknown>, code: status, details?: RegExp): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    expect(status[e.code], `status (details: ${e.details})`).to.equal(status[code]);
    if (details) expect(e.details).to.match(details);
    return e;
  }
  throw new Error(`expected ${status[code]}, but the call succeeded`);
}

/** Reads a server stream to its end into `into`; rejects with the error that ended it. */
export async function collect<T>(stream: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const message of stream) into.push(message);
  return into;
}

/** Polls `probe` until it returns true; rejects when `withinMs` passes first. */
export async function within(withinMs: number, probe: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
