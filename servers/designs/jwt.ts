import { UnauthorizedError } from '../../lib/errors.js';
import { createJwtCodec, type VerifiedClaims } from '../jwt/codec.js';
import type { AuthStrategy, DesignContext, DesignDefinition } from '../design.js';
import type { User } from '../users.js';

/**
 * The user a verified token names. Roles come from the token (that is what a stateless design trusts); the
 * username from the in-memory directory, and an unknown `sub` is refused like any other bad token.
 */
export function userOf(ctx: DesignContext, claims: VerifiedClaims): User {
  const user = ctx.users.byId(claims.sub);
  if (user === undefined) throw new UnauthorizedError('unknown_user');
  return { userId: user.userId, username: user.username, roles: claims.roles };
}

/** Stateless JWT: sign at login, verify signature and claims on every request, no store at all. */
export const jwt: DesignDefinition = {
  name: 'jwt',
  summary: 'stateless JWT; logout is a no-op the token outlives until exp',
  usesStore: false,
  traits: { state: { kind: 'none' }, revocation: 'at-expiry', failurePolicies: ['none'], verifiesJwt: true, storeCommandsPerValidate: 0 },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    const codec = await createJwtCodec(ctx.config, ctx.clock, ctx.metrics);
    return {
      async issue(user) {
        return { token: await codec.sign(user.userId, user.roles), expiresIn: ctx.config.tokenTtlSec };
      },
      async verify(token) {
        return userOf(ctx, await codec.verify(token));
      },
      async revoke(token) {
        // Nothing to revoke without state: the token stays valid until exp. Checked so that an invalid
        // token still gets 401, like the other designs.
        await codec.verify(token);
      },
    };
  },
};
