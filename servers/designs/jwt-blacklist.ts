import { InvalidOptionError, StoreUnavailableError, UnauthorizedError } from '../../lib/errors.js';
import { createJwtCodec } from '../jwt/codec.js';
import { requireNoEviction } from '../store/eviction.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition } from '../design.js';
import { userOf } from './jwt.js';

/** Key of a revoked token: the `jti`, never the token string (a re-encoded signature still verifies). */
export const blacklistKey = (jti: string): string => `blacklist:${jti}`;

/** How long a blacklist entry outlives its token's `exp`, beyond the clock tolerance: for Redis's clock and the servers' to differ. */
export const BLACKLIST_MARGIN_SEC = 5;

/**
 * When a revoked token's blacklist entry may go, in Unix ms (for SET … PXAT): after every server would refuse the
 * token on its own. A server accepts it while its clock reads before `exp` (claims.ts checks exp strictly; a server
 * whose clock runs behind by up to the tolerance still accepts it for that long) and no longer than the maximum token
 * age after `iat` (`--token-ttl` + tolerance, so an exp of 1e20 does not ask Redis for an expiry it refuses), and
 * Redis expires the key by its own clock; so that time + tolerance + BLACKLIST_MARGIN_SEC. A TTL of floor(exp − now)
 * let the entry vanish up to a second before exp, and the logged-out token worked again until then.
 */
export function blacklistExpiresAtMs(claims: { readonly exp: number; readonly iat: number }, config: { readonly tokenTtlSec: number; readonly clockToleranceSec: number }): number {
  const acceptedUntil = Math.min(claims.exp, claims.iat + config.tokenTtlSec + config.clockToleranceSec);
  return Math.ceil((acceptedUntil + config.clockToleranceSec + BLACKLIST_MARGIN_SEC) * 1000);
}

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
    await requireNoEviction(store, 'jwt-blacklist', ctx.config.allowEviction, ctx.warn);
    const failOpen = ctx.config.blacklistFailure === 'open';
    if (failOpen) {
      // Open mode skips the check during an outage; a Redis that cannot be reached (or refuses our AUTH) at start
      // is not an outage to ride out but a server that would never check anything.
      if (store.status() !== 'up') {
        throw new InvalidOptionError(`--blacklist-failure open needs Redis answering at start, and it is not (${store.lastError ?? 'not ready'}): fix the connection, or start with --blacklist-failure closed`);
      }
      ctx.warn('jwt-blacklist: --blacklist-failure open: while Redis cannot be reached, tokens are accepted without the revocation check, revoked ones too (counted in /metrics uncheckedServed)');
    }
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
          if (failOpen && err instanceof StoreUnavailableError && err.unreachable) {
            // The labelled choice: availability over revocation, during an outage only (an error reply such as
            // NOAUTH, NOPERM, OOM or READONLY stays closed). Counted, never silent.
            ctx.metrics.uncheckedServed++;
            return user;
          }
          throw err;
        }
        if (revoked !== 0) throw new UnauthorizedError('revoked');
        return user;
      },
      async revoke(token) {
        // Only a token this server signed can revoke its jti. Idempotent: a logout retried after a 503 (outcome
        // unknown) whose first attempt was applied answers 204 again, not a 401 the client could not tell from a bad
        // token. The entry outlives the token (blacklistExpiresAtMs); rewriting it on a retry changes nothing.
        const claims = await codec.verify(token);
        userOf(ctx, claims);
        ctx.metrics.storeCalls++;
        await store.run((r) => r.set(blacklistKey(claims.jti), '1', 'PXAT', blacklistExpiresAtMs(claims, ctx.config)));
      },
    };
  },
};
