/**
 * `node dist/scripts/bench/auth-path.js`: CPU cost of the authentication rule alone, in
 * process (no network): ns per `authenticate(method, [bearer])` call for RS256 and HS256,
 * verified every time vs answered from the token cache vs verification off. Steadier
 * than the end-to-end benchmark on a busy machine; use it to compare hot-path changes.
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ANY_USER, cachedVerifier, createAuthenticate, INFRASTRUCTURE_POLICIES, sharedSecretKey, StaticKeySet, tokenVerifier, type TokenVerifier, type VerificationKey } from '@grpc-token-auth/server-kit';
import { acceptAnyToken } from './accept-any-token.js';

const METHOD = '/business.v1.NotesService/GetNote';
const POLICIES = { ...INFRASTRUCTURE_POLICIES, [METHOD]: ANY_USER };
const ISSUER = 'auth-svc';
const AUDIENCE = 'grpc-token-auth';
const BUDGET_MS = Number(process.env.BUDGET_MS ?? 1000);

function token(alg: 'RS256' | 'HS256', signingKey: jwt.Secret, kid: string): string {
  return jwt.sign({ typ: 'user', roles: ['user'], sid: randomUUID() }, signingKey, {
    algorithm: alg,
    keyid: kid,
    subject: randomUUID(),
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: 3600,
    jwtid: randomUUID(),
  });
}

/** Calls `fn` in batches until the time budget is spent; returns ns per call (best of 3 budgets). */
function nsPerCall(fn: () => unknown): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    const stop = start + BigInt(BUDGET_MS * 1e6);
    let now = start;
    while (now < stop) {
      for (let i = 0; i < 1000; i++) fn();
      calls += 1000;
      now = process.hrtime.bigint();
    }
    best = Math.min(best, Number(now - start) / calls);
  }
  return best;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsKey: VerificationKey = { kid: 'rs-1', alg: 'RS256', key: createPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' })) };
const hsKey = sharedSecretKey('bench-secret-0123456789-0123456789-abcdef');
const setups = [
  { alg: 'RS256', key: rsKey, token: token('RS256', rsa.privateKey, rsKey.kid) },
  { alg: 'HS256', key: hsKey, token: token('HS256', hsKey.key, hsKey.kid) },
] as const;

const rows: string[] = ['| alg | verifier | ns per authenticate() |', '|---|---|---:|'];
for (const s of setups) {
  const verify = tokenVerifier({ keys: new StaticKeySet([s.key]), issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 30 });
  const variants: [string, TokenVerifier][] = [
    ['verify every call', verify],
    ['token cache', cachedVerifier(verify, { maxEntries: 10_000 }).verify],
    ['off (no verification, accept-any-token)', acceptAnyToken('bench-user')],
  ];
  const bearer = [`Bearer ${s.token}`];
  for (const [name, verifier] of variants) {
    const authenticate = createAuthenticate(POLICIES, verifier);
    const first = authenticate(METHOD, bearer);
    if (!first.ok) throw new Error(`${s.alg} ${name}: ${first.failure.reason}`);
    rows.push(`| ${s.alg} | ${name} | ${Math.round(nsPerCall(() => authenticate(METHOD, bearer))).toLocaleString('en-US')} |`);
  }
}
process.stdout.write(`${rows.join('\n')}\n`);
