import { unknownNamesProblem } from '@grpc-token-auth/server-kit/internal';

/** Roles a user can hold; policies name them, administrators grant them. */
export const ROLES = {
  /** Every registered user. */
  user: 'user',
  /** User administration (auth.v1.AdminService) and admin-only figures in business-svc. */
  admin: 'admin',
} as const;

export const KNOWN_ROLES: readonly string[] = Object.values(ROLES);

export function roleNamesProblem(roles: readonly string[]): string | undefined {
  return unknownNamesProblem('role', roles, KNOWN_ROLES);
}
