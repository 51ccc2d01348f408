/**
 * `@grpc-token-auth/server-kit/internal`: what grpc-token-auth's own services share with the kit
 * and no other service needs (auth-svc's key formats and name checks, the address and slot
 * bookkeeping behind their limits). No compatibility promise: it changes with the services.
 * Nothing here creates an identity.
 */
export { bearerToken, checkJwtShape, MAX_AUTHORIZATION_LENGTH, parseBearer } from './bearer.js';
export { fromPublicJwk, jwkThumbprint, toPublicJwk } from './jwk.js';
export { parseJwksJson, toJwksJson, type JwkJson } from './jwks-json.js';
export { MIN_SECRET_BYTES } from './keys.js';
export { unknownNamesProblem } from './known-names.js';
export { KNOWN_SCOPES, scopeNamesProblem } from './scopes.js';
export { discoverJwksUri, MAX_DOCUMENT_BYTES } from './remote-jwks.js';
export { addressGroup, DEFAULT_IPV6_PREFIX_LENGTH } from './limits/address-group.js';
export { clientAddress } from './limits/client-address.js';
export { KeyedSlots } from './limits/keyed-slots.js';
export { BacklogBudget } from './streams/backlog-budget.js';
export { metadataBytes } from './interceptors/metadata-limit.js';
export { compose, stageInterceptor, type Stage, type StageCall, type StatusToSend } from './interceptors/stage.js';
export { LinesPerSecond } from './observability/lines-per-second.js';
