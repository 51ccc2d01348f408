import { expect } from 'chai';
import { ConfigError } from '../../lib/config/env-reader.js';

/** Principals and result narrowing are the kit's test fixtures. */
export { failureOf, servicePrincipal, userPrincipal, valueOf } from '../../server-kit/test/fixtures.js';

/** The problems a config loader reported (fails the test when it did not throw a ConfigError). */
export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
