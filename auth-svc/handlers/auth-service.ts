import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
import { requireText } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { MAX_PASSWORD_LENGTH, passwordProblem } from '../passwords/password-policy.js';
import { EmailTakenError, type UserStore } from '../store/user-store.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';

export interface AuthServiceDeps {
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly log: Logger;
}

/** Deliberately identical for unknown email and wrong password: no account enumeration. */
const BAD_CREDENTIALS = 'invalid email or password';

// Pragmatic shape check; deliverability is the mail server's business.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function authServiceHandlers({ users, hasher, tokens, log }: AuthServiceDeps): AuthServiceServer {
  return {
    register: publicUnary(log, async (req) => {
      const email = validEmail(req.email);
      const displayName = requireText('display_name', req.displayName, 1, 100);
      const problem = passwordProblem(req.password, email);
      if (problem) throw invalidArgument('password', problem);
      if (users.findByEmail(email)) throw emailTaken();
      const passwordHash = await hasher.hash(req.password);
      try {
        const user = users.create({ email, passwordHash, displayName });
        log.info({ sub: user.id }, 'user registered');
        return { userId: user.id };
      } catch (err) {
        // Two concurrent registrations: the unique index decides.
        if (err instanceof EmailTakenError) throw emailTaken();
        throw err;
      }
    }),

    login: publicUnary(log, async (req) => {
      if (req.email === '') throw invalidArgument('email', 'is required');
      if (req.password === '') throw invalidArgument('password', 'is required');
      // Over-long input would only burn hashing time; it cannot be a valid password.
      if (req.email.length > 254 || [...req.password].length > MAX_PASSWORD_LENGTH) {
        throw new GrpcError(status.UNAUTHENTICATED, BAD_CREDENTIALS);
      }
      const user = users.findByEmail(req.email);
      const ok = user ? await hasher.verify(req.password, user.passwordHash) : await hasher.verifyNothing(req.password);
      if (!user || !ok) throw new GrpcError(status.UNAUTHENTICATED, BAD_CREDENTIALS);
      if (user.disabled) throw new GrpcError(status.PERMISSION_DENIED, 'account is disabled');
      if (hasher.needsRehash(user.passwordHash)) users.setPasswordHash(user.id, await hasher.hash(req.password));
      const access = tokens.issueUserToken(user);
      return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, userId: user.id };
    }),
  };
}

function emailTaken(): GrpcError {
  return new GrpcError(status.ALREADY_EXISTS, 'email is already registered');
}

function validEmail(raw: string): string {
  const email = requireText('email', raw, 1, 254);
  if (!EMAIL.test(email)) throw invalidArgument('email', 'is not a valid email address');
  return email;
}
