import { permissionDenied, type AuthFailure } from './auth-failure.js';
import type { Principal } from './principal.js';

/**
 * Who may call a method. Declared once per service in a table keyed by full
 * method path (`/pkg.Service/Method`); a method missing from the table is denied.
 */
export type MethodPolicy =
  | { readonly access: 'public' }
  /** Any signed-in user; with `roles`, only users holding at least one of them. */
  | { readonly access: 'user'; readonly roles?: readonly string[]; readonly actor?: ActorRule }
  /** Only services whose token carries `scope`. */
  | { readonly access: 'service'; readonly scope: string; readonly actor?: ActorRule };

/**
 * Whether the call may come through another service acting for the caller (a token exchanged
 * with an `act` claim): `required` (only on a user's behalf, never from the user directly),
 * `forbidden` (only from the user directly), or either when left out.
 */
export type ActorRule = 'required' | 'forbidden';

/** The same policy, with a rule about actors: `withActor(ANY_USER, 'forbidden')`. A public method has no caller to judge. */
export function withActor(policy: MethodPolicy, actor: ActorRule): MethodPolicy {
  if (policy.access === 'public') throw new TypeError('withActor: a public method has no caller whose actor could be checked');
  return { ...policy, actor };
}

export type PolicyTable = Readonly<Record<string, MethodPolicy>>;

export const PUBLIC: MethodPolicy = { access: 'public' };
export const ANY_USER: MethodPolicy = { access: 'user' };

/** Signed-in users holding at least one of `roles`. */
export function userWithRole(...roles: string[]): MethodPolicy {
  return { access: 'user', roles };
}

export function serviceWith(scope: string): MethodPolicy {
  return { access: 'service', scope };
}

/** Health checks and reflection must work without a token (load balancers, grpcurl). */
export const INFRASTRUCTURE_POLICIES: PolicyTable = {
  '/grpc.health.v1.Health/Check': PUBLIC,
  '/grpc.health.v1.Health/Watch': PUBLIC,
  '/grpc.health.v1.Health/List': PUBLIC,
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo': PUBLIC,
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo': PUBLIC,
};

/** Returns why `principal` may not call a method with `policy`, or undefined when it may. */
export function authorize(policy: MethodPolicy, principal: Principal): AuthFailure | undefined {
  if (policy.access !== 'public' && policy.actor) {
    if (policy.actor === 'required' && !principal.actor) return permissionDenied('forbidden', 'this method is only for services acting on a user\'s behalf');
    if (policy.actor === 'forbidden' && principal.actor) return permissionDenied('forbidden', 'this method is not open to services acting on a user\'s behalf');
  }
  switch (policy.access) {
    case 'public':
      return undefined;
    case 'user':
      if (principal.kind !== 'user') return permissionDenied('forbidden', 'this method is for users, not services');
      if (policy.roles && !policy.roles.some((r) => principal.roles.includes(r))) {
        return permissionDenied('forbidden', `this method needs one of the roles: ${policy.roles.join(', ')}`);
      }
      return undefined;
    case 'service':
      if (principal.kind !== 'service') return permissionDenied('forbidden', 'this method is only for services');
      if (!principal.scopes.includes(policy.scope)) {
        return permissionDenied('forbidden', `this method needs the scope "${policy.scope}"`);
      }
      return undefined;
  }
}
