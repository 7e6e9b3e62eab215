import { randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../../lib/errors.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition } from '../design.js';
import type { User } from '../users.js';

export const tokenKey = (token: string): string => `token:${token}`;

/** crypto.randomUUID(): version 4, 122 random bits. Anything else is refused without a Redis call. */
export const OPAQUE_TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What verify's GET yields when the key holds a hash, list or other non-string value. */
export const NOT_A_STRING: unique symbol = Symbol('not a string');

export function parseStoredUser(raw: string): User | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { userId, username, roles } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof username !== 'string') return undefined;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return undefined;
  return { userId, username, roles: roles as string[] };
}

/**
 * Opaque token in Redis: login SETEX token:{uuid} <ttl> <userJSON>, /me is one GET, logout one DEL.
 * Expiry is absolute (SETEX at login); using the token does not extend it.
 */
export const redisToken: DesignDefinition = {
  name: 'redis-token',
  summary: 'opaque UUID token, user JSON in Redis (one GET per request)',
  usesStore: true,
  traits: { state: { kind: 'session', keyPattern: tokenKey('*') }, revocation: 'immediate', failurePolicies: ['closed'], verifiesJwt: false, storeCommandsPerValidate: 1 },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    const store = requireStore(ctx, 'redis-token');
    const ttl = ctx.config.tokenTtlSec;
    return {
      async issue(user) {
        const token = randomUUID();
        const record = JSON.stringify({ userId: user.userId, username: user.username, roles: user.roles });
        ctx.metrics.storeCalls++;
        await store.run((r) => r.setex(tokenKey(token), ttl, record));
        return { token, expiresIn: ttl };
      },
      async verify(token) {
        if (!OPAQUE_TOKEN.test(token)) throw new UnauthorizedError('malformed');
        ctx.metrics.storeCalls++;
        const raw = await store.run((r) =>
          r.get(tokenKey(token)).catch((err: unknown): typeof NOT_A_STRING => {
            // A key of another Redis type (hash, list...) is a corrupt record, not a store failure (no 503).
            if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return NOT_A_STRING;
            throw err;
          }),
        );
        if (raw === null) throw new UnauthorizedError('unknown_token');
        const user = raw === NOT_A_STRING ? undefined : parseStoredUser(raw);
        if (user === undefined) {
          // A corrupt record is refused and removed. The delete is best effort (a failure still refuses),
          // awaited so the key is gone by the time the client sees the 401.
          ctx.metrics.storeCalls++;
          await store.run((r) => r.del(tokenKey(token))).catch(() => undefined);
          throw new UnauthorizedError('bad_stored_value');
        }
        return user;
      },
      async revoke(token) {
        if (!OPAQUE_TOKEN.test(token)) throw new UnauthorizedError('malformed');
        ctx.metrics.storeCalls++;
        const deleted = await store.run((r) => r.del(tokenKey(token)));
        if (deleted === 0) throw new UnauthorizedError('unknown_token');
      },
    };
  },
};
