/**
 * PUBLIC DEVELOPMENT DEFAULTS. They are in the repository, so they protect nothing.
 * EnvReader.secret refuses them when NODE_ENV=production.
 */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-use-in-production';
