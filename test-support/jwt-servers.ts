import { createPrivateKey, createHmac, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../servers/app.js';
import { resolveServerConfig, type ServerConfig } from '../servers/config.js';
import { designOf } from '../servers/designs/index.js';
import { JWT_ALGS, JWT_IMPLS, type JwtAlg, type JwtImpl } from '../servers/jwt/algs.js';
import { createSharedJwtKeys, type SharedJwtKeys } from '../servers/jwt/shared-keys.js';
import { injectTarget, type AuthTarget } from './auth-probe.js';
import { decodeJwt, type JsonObject, type Signer } from './jwt-forge.js';

/** Every JWT implementation × algorithm the servers support: the matrix the security tests run over. */
export const JWT_MATRIX: readonly { readonly impl: JwtImpl; readonly alg: JwtAlg }[] = JWT_IMPLS.flatMap((impl) => JWT_ALGS.map((alg) => ({ impl, alg })));

/** The designs that verify JWTs (a test may name them: tests are outside the harness). */
export const JWT_DESIGNS = ['jwt', 'jwt-blacklist'] as const;

/** Signs a JWS signing input with the server's own key (from its JWK), by node:crypto alone. */
export function signerFor(alg: JwtAlg, keys: SharedJwtKeys): Signer {
  if (alg === 'HS256') {
    const secret = Buffer.from(keys.jwk.k ?? '', 'base64url');
    return (input) => createHmac('sha256', secret).update(input).digest('base64url');
  }
  const key: KeyObject = createPrivateKey({ key: keys.jwk as JsonWebKey, format: 'jwk' });
  if (alg === 'EdDSA') return (input) => sign(null, Buffer.from(input), key).toString('base64url');
  // ES256 signatures are raw r||s (IEEE P1363) in a JWS, not DER.
  return (input) => sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key).toString('base64url');
}

export interface JwtServer {
  target: AuthTarget;
  /** Header and claims of a genuine token for user42: forge from these to change one thing at a time. */
  header: JsonObject;
  payload: JsonObject;
  /** The server's own key, so that a forged token is correctly signed. */
  sign: Signer;
  /** The key itself (its JWK), e.g. to try its public half as an HMAC secret. */
  keys: SharedJwtKeys;
  config: ServerConfig;
}

/**
 * An in-process server (app.inject, a real Redis) of `design` with `impl` and `alg`, whose key the test knows (the
 * shared-key path the workers of `serve --workers` use), for the life of the enclosing describe.
 */
export function withJwtServer(
  design: string,
  impl: JwtImpl,
  alg: JwtAlg,
  redisUrl: () => string,
  options: { config?: Partial<ServerConfig>; clock?: () => number } = {},
): JwtServer {
  const ctx = {} as JwtServer;
  let app: FastifyInstance | undefined;
  before(async () => {
    const base = resolveServerConfig({ redisUrl: redisUrl(), jwtAlg: alg, jwtImpl: impl });
    const keys = await createSharedJwtKeys(alg, undefined);
    ctx.config = { ...base, ...options.config, jwtKeys: keys };
    app = await buildServer(designOf(design), ctx.config, options.clock === undefined ? {} : { clock: options.clock });
    ctx.target = injectTarget(app);
    ctx.sign = signerFor(alg, keys);
    ctx.keys = keys;
    ({ header: ctx.header, payload: ctx.payload } = decodeJwt(await ctx.target.login(42)));
  });
  after(async () => {
    await app?.close();
  });
  return ctx;
}
