import { expect } from 'chai';
import { isTransient } from '../../lib/grpc/transient-errors.js';

describe('isTransient (UNAVAILABLE rather than INTERNAL)', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });

  it('recognises unreachable databases and networks', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '08006', '53300', '40001', 'SQLITE_BUSY']) {
      expect(isTransient(withCode(code)), code).to.equal(true);
    }
    expect(isTransient(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isTransient(new Error('Connection terminated'))).to.equal(true);
    expect(isTransient(new Error('Client has encountered a connection error and is not queryable'))).to.equal(true);
    expect(isTransient(new Error('Client was closed and is not queryable'))).to.equal(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).to.equal(true);
  });

  it('leaves real bugs and constraint violations as they are', () => {
    for (const err of [new Error('boom'), new TypeError('x is undefined'), withCode('23505'), withCode('SQLITE_CONSTRAINT_UNIQUE'), null, undefined, 'text']) {
      expect(isTransient(err), String(err)).to.equal(false);
    }
  });
});
