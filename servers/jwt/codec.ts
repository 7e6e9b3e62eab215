import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { JwtImpl } from './algs.js';
import type { VerifiedClaims } from './claims.js';
import { FastJwtCodec } from './fast-jwt-codec.js';
import { JoseCodec } from './jose-codec.js';
import { createSharedJwtKeys } from './shared-keys.js';

export { MAX_TOKEN_LENGTH, type JwtClaimsConfig, type VerifiedClaims } from './claims.js';

/**
 * Signs and verifies this server's JWTs with every check of a reference implementation, whatever the library:
 * one pinned algorithm, `typ`, `kid` from the server's own map, no embedded or remote key headers, no unknown
 * `crit`, `iss`, `aud`, required `exp`/`iat`/`sub`/`jti`, strict `exp`, a maximum token age, a UUID `jti`, a roles
 * array. A refused token throws an UnauthorizedError whose reason does not depend on the library.
 */
export interface JwtCodec {
  readonly impl: JwtImpl;
  sign(sub: string, roles: readonly string[]): string | Promise<string>;
  /** Synchronous where the library is (the designs await it either way). */
  verify(token: string): VerifiedClaims | Promise<VerifiedClaims>;
}

/**
 * The codec of `config.jwtImpl`. Keys: the ones the workers of `serve --workers N` share (config.jwtKeys), or made
 * here as a single server would (the HS256 secret given, or 32 random bytes; a new key pair otherwise).
 */
export async function createJwtCodec(config: ServerConfig, clock: () => number, metrics?: ServerMetrics): Promise<JwtCodec> {
  const keys = config.jwtKeys ?? (await createSharedJwtKeys(config.jwtAlg, config.jwtSecret));
  return config.jwtImpl === 'jose' ? JoseCodec.create(config, keys, clock) : FastJwtCodec.create(config, keys, clock, metrics);
}
