import { expect } from 'chai';
import { ANY_USER, authorize, INFRASTRUCTURE_POLICIES, PUBLIC, userWithRole, type MethodPolicy } from '../dist/index.js';
import { servicePrincipal, userPrincipal } from './fixtures.js';

const ADMIN_OR_AUDITOR: MethodPolicy = userWithRole('admin', 'auditor');
const NOTES_SYNC: MethodPolicy = { access: 'service', scope: 'notes:sync' };

describe('authorize', () => {
  describe('public', () => {
    it('allows users and services alike', () => {
      expect(authorize(PUBLIC, userPrincipal())).to.equal(undefined);
      expect(authorize(PUBLIC, servicePrincipal())).to.equal(undefined);
    });

    it('covers health checks and reflection', () => {
      expect(INFRASTRUCTURE_POLICIES['/grpc.health.v1.Health/Check']).to.deep.equal({ access: 'public' });
      expect(INFRASTRUCTURE_POLICIES['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo']).to.deep.equal({ access: 'public' });
    });
  });

  describe('user', () => {
    it('allows any signed-in user when no roles are required', () => {
      expect(authorize(ANY_USER, userPrincipal({ roles: [] }))).to.equal(undefined);
      expect(authorize(ANY_USER, userPrincipal({ roles: ['admin'] }))).to.equal(undefined);
    });

    it('allows a user holding one of the required roles', () => {
      expect(authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: ['auditor'] }))).to.equal(undefined);
      expect(authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: ['editor', 'admin'] }))).to.equal(undefined);
    });

    it('denies a user holding none of the required roles', () => {
      const denied = authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: ['editor'] }));
      expect(denied).to.deep.equal({
        status: 'permission_denied',
        reason: 'forbidden',
        message: 'this method needs one of the roles: admin, auditor',
      });
    });

    it('denies a user with no roles at all', () => {
      expect(authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: [] }))?.status).to.equal('permission_denied');
    });

    it('matches roles exactly (no case folding or prefix match)', () => {
      expect(authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: ['Admin'] }))?.reason).to.equal('forbidden');
      expect(authorize(ADMIN_OR_AUDITOR, userPrincipal({ roles: ['admin-lite'] }))?.reason).to.equal('forbidden');
    });

    it('denies a service calling a user method, even with a matching role', () => {
      const denied = authorize(ANY_USER, servicePrincipal({ roles: ['admin'] }));
      expect(denied?.status).to.equal('permission_denied');
      expect(denied?.reason).to.equal('forbidden');
      expect(denied?.message).to.equal('this method is for users, not services');
      expect(authorize(ADMIN_OR_AUDITOR, servicePrincipal({ roles: ['admin'] }))?.status).to.equal('permission_denied');
    });
  });

  describe('service', () => {
    it('allows a service holding the scope', () => {
      expect(authorize(NOTES_SYNC, servicePrincipal({ scopes: ['notes:read', 'notes:sync'] }))).to.equal(undefined);
    });

    it('denies a service lacking the scope', () => {
      const denied = authorize(NOTES_SYNC, servicePrincipal({ scopes: ['notes:read'] }));
      expect(denied).to.deep.equal({
        status: 'permission_denied',
        reason: 'forbidden',
        message: 'this method needs the scope "notes:sync"',
      });
    });

    it('matches scopes exactly', () => {
      expect(authorize(NOTES_SYNC, servicePrincipal({ scopes: ['notes:sync:extra', 'notes'] }))?.reason).to.equal('forbidden');
    });

    it('denies a user calling a service method, even with the scope', () => {
      const denied = authorize(NOTES_SYNC, userPrincipal({ scopes: ['notes:sync'] }));
      expect(denied?.status).to.equal('permission_denied');
      expect(denied?.message).to.equal('this method is only for services');
    });
  });
});
