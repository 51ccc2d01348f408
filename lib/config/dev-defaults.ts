/**
 * PUBLIC DEVELOPMENT DEFAULTS. They are in the repository, so they protect nothing.
 * EnvReader.secret refuses them in production (lib/config/node-env.ts decides).
 */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-use-in-production';
