import { createHash, randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../../lib/errors.js';
import { createJwtCodec, type VerifiedClaims } from '../jwt/codec.js';
import type { StoreClient } from '../store/redis-store.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition, type RefreshedToken } from '../design.js';
import type { User } from '../users.js';
import { userOf } from './jwt.js';

/** The one key of a login's refresh-token family: a hash named by the session id (the access token's `sid`). */
export const familyKey = (sid: string): string => `refresh:${sid}`;

/**
 * A refresh token: `<sid>.<secret>`, two crypto.randomUUID()s (version 4, 122 random bits each). The secret is the
 * credential; the session id names the family's key, so that a refresh is one command on one key (a single Redis
 * or a cluster alike) and a logout, which knows the `sid` from the access token, finds the same key. Anything else
 * is refused without a Redis call.
 */
const REFRESH_TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/;

/**
 * Most rotations one family may make; the next refresh ends the family (the client logs in again). A client that
 * refreshes once per access token needs --token-ttl / --access-ttl of them (12 with the defaults); the bound keeps
 * the list of spent fingerprints, and so the family's key, small (16 bytes a rotation, 16 KiB at most), where
 * dropping the oldest fingerprints instead would let a thief who rotates fast enough push the victim's spent token
 * out of the list and keep the family.
 */
export const MAX_ROTATIONS = 1024;

/** Hex characters of a spent secret's fingerprint: 64 bits of its SHA-256, enough that no guess matches one. */
const FINGERPRINT_HEX = 16;

/** Redis keeps hashes of the secrets, never the secrets: a copy of Redis (a dump, a replica) holds no usable token. */
const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/**
 * Login: the family's hash, { uid, cur: SHA-256 of the first secret }, and its expiry, in one script so that no key
 * is ever left without one. The family lives --token-ttl from the login: rotation does not extend it (as a
 * redis-token session's expiry is absolute), which also bounds how long a stolen family can be kept alive.
 */
const CREATE_FAMILY = `
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'cur', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * Refresh, atomically: Redis runs a script alone, so two refreshes racing with one token are serialised and only
 * the first finds its hash as `cur`; the second finds it spent, which is exactly a reuse. One script on one key was
 * chosen over the alternatives: WATCH/MULTI needs a retry loop and a connection of its own per transaction (the
 * store shares one), and GETDEL or SET NX on a per-token marker needs a key per token plus a second command to find
 * and update the family, which a cluster cannot make atomic across slots. The hashes are compared in Lua with `==`:
 * a timing difference would reveal a prefix of a SHA-256, from which no secret follows.
 *
 * KEYS[1]: the family. ARGV[1]: SHA-256 (hex) of the presented secret; ARGV[2]: that of its successor; ARGV[3]:
 * MAX_ROTATIONS; ARGV[4]: FINGERPRINT_HEX. Answers {1, uid, PTTL ms} rotated; {0} unknown (no family, or a secret
 * that is neither current nor spent: a guess changes nothing); {-1} a spent secret presented again: the family is
 * deleted; {-2} the family made MAX_ROTATIONS already: deleted. A key of another type or shape is corrupt: deleted,
 * unknown.
 */
const ROTATE = `
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then return {0} end
if kind ~= 'hash' then redis.call('DEL', KEYS[1]) return {0} end
local f = redis.call('HMGET', KEYS[1], 'uid', 'cur', 'spent')
local uid, cur, spent = f[1], f[2], f[3] or ''
if not uid or not cur then redis.call('DEL', KEYS[1]) return {0} end
local n = tonumber(ARGV[4])
if cur == ARGV[1] then
  if #spent / n >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) return {-2} end
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'spent', spent .. string.sub(cur, 1, n))
  return {1, uid, redis.call('PTTL', KEYS[1])}
end
local presented = string.sub(ARGV[1], 1, n)
for i = 1, #spent, n do
  if string.sub(spent, i, i + n - 1) == presented then redis.call('DEL', KEYS[1]) return {-1} end
end
return {0}
`;

/** The two scripts as ioredis commands (defineCommand: EVALSHA, and EVAL once per connection that lacks it). */
interface FamilyCommands {
  authbenchRefreshCreate(key: string, uid: string, hash: string, ttlSec: number): Promise<number>;
  authbenchRefreshRotate(key: string, hash: string, next: string, maxRotations: number, fingerprintHex: number): Promise<[number, string?, number?]>;
}

function familyCommands(client: StoreClient): FamilyCommands {
  client.defineCommand('authbenchRefreshCreate', { numberOfKeys: 1, lua: CREATE_FAMILY });
  client.defineCommand('authbenchRefreshRotate', { numberOfKeys: 1, lua: ROTATE });
  return client as unknown as FamilyCommands;
}

/** The claims of an access token of this design: one that names no session cannot be logged out, and is refused. */
function sessionOf(claims: VerifiedClaims): string {
  if (claims.sid === undefined) throw new UnauthorizedError('bad_claims');
  return claims.sid;
}

/**
 * A short-lived access JWT verified statelessly (GET /me touches no Redis), and an opaque refresh token in Redis,
 * rotated on every use; a spent refresh token presented again revokes its whole family (every token since the
 * login). Logout deletes the family; the access token itself stays valid until its `exp` (--access-ttl): the price
 * of verifying it without Redis.
 */
export const jwtRefresh: DesignDefinition = {
  name: 'jwt-refresh',
  summary: 'short-lived JWT (--access-ttl) + rotating refresh token in Redis with reuse detection; /me uses no Redis',
  usesStore: true,
  traits: {
    state: { kind: 'session', keyPattern: familyKey('*') },
    revocation: 'at-expiry',
    failurePolicies: ['none'],
    verifiesJwt: true,
    storeCommandsPerValidate: 0,
    refreshTokens: true,
  },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    // No eviction check (jwt-blacklist has one): an evicted family only ends a session early, every token of it then
    // unknown (401); it never makes a refused token accepted.
    const store = requireStore(ctx, 'jwt-refresh');
    const family = familyCommands(store.client);
    // The access token lives --access-ttl: signed with that lifetime, and refused past that age (the maximum token
    // age the codec checks is its tokenTtlSec).
    const accessTtl = ctx.config.accessTtlSec;
    const codec = await createJwtCodec({ ...ctx.config, tokenTtlSec: accessTtl }, ctx.clock, ctx.metrics);
    const refreshTtl = ctx.config.tokenTtlSec;

    const accessToken = async (user: User, sid: string): Promise<string> => codec.sign(user.userId, user.roles, sid);

    return {
      async issue(user) {
        const sid = randomUUID();
        const secret = randomUUID();
        ctx.metrics.storeCalls++;
        await store.run(() => family.authbenchRefreshCreate(familyKey(sid), user.userId, digest(secret), refreshTtl));
        return { token: await accessToken(user, sid), expiresIn: accessTtl, refreshToken: `${sid}.${secret}`, refreshExpiresIn: refreshTtl };
      },
      async verify(token) {
        const claims = await codec.verify(token);
        sessionOf(claims);
        return userOf(ctx, claims);
      },
      async revoke(token) {
        // Only a token this server signed names a family it may delete. Idempotent: a retried logout, or one after
        // the family expired or was revoked for reuse, answers 204 again while the access token verifies.
        const claims = await codec.verify(token);
        const sid = sessionOf(claims);
        userOf(ctx, claims);
        ctx.metrics.storeCalls++;
        await store.run((r) => r.del(familyKey(sid)));
      },
      async refresh(refreshToken): Promise<RefreshedToken> {
        const parts = REFRESH_TOKEN.exec(refreshToken);
        const sid = parts?.[1];
        const secret = parts?.[2];
        if (sid === undefined || secret === undefined) throw new UnauthorizedError('malformed');
        const next = randomUUID();
        // A 503 here means "outcome unknown", as for logout: the rotation may have been applied (a timeout after
        // Redis ran the script), and a retry with the same token is then a reuse that ends the family. Strict
        // rotation has no grace period; the client logs in again.
        ctx.metrics.storeCalls++;
        const [outcome, uid, pttlMs] = await store.run(() => family.authbenchRefreshRotate(familyKey(sid), digest(secret), digest(next), MAX_ROTATIONS, FINGERPRINT_HEX));
        if (outcome === -1 || outcome === -2) throw new UnauthorizedError('revoked');
        if (outcome !== 1 || uid === undefined) throw new UnauthorizedError('unknown_token');
        // Roles from the directory, not from the old token: a refresh is where a changed role takes effect.
        const user = ctx.users.byId(uid);
        if (user === undefined) throw new UnauthorizedError('unknown_user');
        return {
          token: await accessToken(user, sid),
          expiresIn: accessTtl,
          refreshToken: `${sid}.${next}`,
          refreshExpiresIn: Math.max(0, Math.floor((pttlMs ?? 0) / 1000)),
        };
      },
    };
  },
};
