import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { JwtCodec } from './types.js';
import { FastJwtCodec } from './fast-jwt-codec.js';
import { JoseCodec } from './jose-codec.js';
import { createSharedJwtKeys } from './shared-keys.js';

export { MAX_TOKEN_LENGTH, type JwtClaimsConfig, type VerifiedClaims } from './claims.js';
export type { JwtCodec } from './types.js';

/**
 * The codec of `config.jwtImpl`. Keys: the ones the workers of `serve --workers N` share (config.jwtKeys), or made
 * here as a single server would (the HS256 secret given, or 32 random bytes; a new key pair otherwise).
 */
export async function createJwtCodec(config: ServerConfig, clock: () => number, metrics?: ServerMetrics): Promise<JwtCodec> {
  const keys = config.jwtKeys ?? (await createSharedJwtKeys(config.jwtAlg, config.jwtSecret));
  return config.jwtImpl === 'jose' ? JoseCodec.create(config, keys, clock) : FastJwtCodec.create(config, keys, clock, metrics);
}
