import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';

/** Metadata with the given headers (e.g. authorization). */
export function md(headers: Record<string, string> = {}): Metadata {
  const m = new Metadata();
  for (const [k, v] of Object.entries(headers)) m.set(k, v);
  return m;
}

export function bearer(token: string): Metadata {
  return md({ authorization: `Bearer ${token}` });
}

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
