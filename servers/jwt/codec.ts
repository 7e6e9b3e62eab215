import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { JwtCodec } from './types.js';
import { createSharedJwtKeys } from './shared-keys.js';

export { MAX_TOKEN_LENGTH, type JwtClaimsConfig, type VerifiedClaims } from './claims.js';
export type { JwtCodec } from './types.js';

/**
 * The codec of `config.jwtImpl`. Keys: the ones the workers of `serve --workers N` share (config.jwtKeys), or made
 * here as a single server would (the HS256 secret given, or 32 random bytes; a new key pair otherwise).
 */
export async function createJwtCodec(config: ServerConfig, clock: () => number, metrics?: ServerMetrics): Promise<JwtCodec> {
  const keys = config.jwtKeys ?? (await createSharedJwtKeys(config.jwtAlg, config.jwtSecret));
  // Each library is loaded only by the servers that run it: importing jose or fast-jwt alone took 107–110 ms of CPU
  // against 80 ms for a bare node, so the unused one cost every server start about 30 ms.
  if (config.jwtImpl === 'jose') return (await import('./jose-codec.js')).JoseCodec.create(config, keys, clock);
  return (await import('./fast-jwt-codec.js')).FastJwtCodec.create(config, keys, clock, metrics);
}
