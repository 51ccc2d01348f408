import { expect } from 'chai';
import { scopeNamesProblem } from '@grpc-token-auth/server-kit/internal';
import { roleNamesProblem } from '../../lib/authn/roles.js';

describe('known role and scope names', () => {
  it('accepts known names and lists the valid ones when refusing a misspelling', () => {
    expect(roleNamesProblem(['user', 'admin'])).to.equal(undefined);
    expect(roleNamesProblem([])).to.equal(undefined);
    expect(roleNamesProblem(['user', 'admn', 'admn'])).to.equal('unknown role "admn" (valid roles: user, admin)');
    expect(roleNamesProblem(['Admin', 'root'])).to.equal('unknown roles "Admin", "root" (valid roles: user, admin)');
    expect(scopeNamesProblem(['users.read'])).to.equal(undefined);
    expect(scopeNamesProblem(['users.raed'])).to.equal('unknown scope "users.raed" (valid scopes: revocations.watch, users.read, tokens.exchange)');
  });
});
