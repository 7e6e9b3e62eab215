import { StoreUnavailableError, UnauthorizedError } from '../../lib/errors.js';
import { createJwtCodec } from '../jwt/codec.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition } from '../design.js';
import { userOf } from './jwt.js';

/** Key of a revoked token: the `jti`, never the token string (a re-encoded signature still verifies). */
export const blacklistKey = (jti: string): string => `blacklist:${jti}`;

/** JWT plus a Redis blacklist of revoked `jti`s, checked on every request after the signature. */
export const jwtBlacklist: DesignDefinition = {
  name: 'jwt-blacklist',
  summary: 'JWT + Redis blacklist of revoked jti (one EXISTS per request)',
  usesStore: true,
  traits: {
    state: { kind: 'revoked-token', keyPattern: blacklistKey('*') },
    revocation: 'immediate',
    failurePolicies: ['closed', 'open'],
    verifiesJwt: true,
    storeCommandsPerValidate: 1,
  },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    const codec = await createJwtCodec(ctx.config, ctx.clock, ctx.metrics);
    const store = requireStore(ctx, 'jwt-blacklist');
    const failOpen = ctx.config.blacklistFailure === 'open';
    return {
      async issue(user) {
        return { token: await codec.sign(user.userId, user.roles), expiresIn: ctx.config.tokenTtlSec };
      },
      async verify(token) {
        const claims = await codec.verify(token);
        const user = userOf(ctx, claims);
        ctx.metrics.storeCalls++;
        let revoked: number;
        try {
          revoked = await store.run((r) => r.exists(blacklistKey(claims.jti)));
        } catch (err) {
          if (failOpen && err instanceof StoreUnavailableError) {
            // The labelled choice: availability over revocation. Counted, never silent.
            ctx.metrics.uncheckedServed++;
            return user;
          }
          throw err;
        }
        if (revoked !== 0) throw new UnauthorizedError('revoked');
        return user;
      },
      async revoke(token) {
        const claims = await codec.verify(token);
        userOf(ctx, claims);
        // SETEX semantics (value 1, TTL = remaining life) plus NX, so that a second logout of the same token is
        // told apart (401) in the same round trip. The TTL never outlives the token: expiry is checked strictly.
        const ttl = Math.max(1, Math.floor(claims.exp - ctx.clock() / 1000));
        ctx.metrics.storeCalls++;
        const written = await store.run((r) => r.set(blacklistKey(claims.jti), '1', 'EX', ttl, 'NX'));
        if (written === null) throw new UnauthorizedError('revoked');
      },
    };
  },
};
