import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './metrics.js';
import type { RedisStore, StoreClient } from './store/redis-store.js';
import type { User, UserDirectory } from './users.js';

export interface IssuedToken {
  readonly token: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  /** A design with refresh tokens (AuthStrategy.refresh): the opaque refresh token issued beside the access token. */
  readonly refreshToken?: string;
  /** Seconds until refreshToken expires; present exactly when refreshToken is. */
  readonly refreshExpiresIn?: number;
}

/** What POST /refresh answers: a new access token and a new refresh token (the one presented is spent). */
export type RefreshedToken = IssuedToken & { readonly refreshToken: string; readonly refreshExpiresIn: number };

/**
 * One authentication design. Every method either resolves or throws an AuthbenchError:
 * UnauthorizedError (401) for any refused token, StoreUnavailableError (503) when Redis cannot answer.
 */
export interface AuthStrategy {
  /** POST /login, after the credentials were checked. */
  issue(user: User): Promise<IssuedToken>;
  /** GET /me: the user this token belongs to. */
  verify(token: string): Promise<User>;
  /** POST /logout: resolves once the revocation is acknowledged (or, for jwt, immediately). */
  revoke(token: string): Promise<void>;
  /**
   * POST /refresh, for a design with refresh tokens (the route exists only then): trades a refresh token for a new
   * access token and a new refresh token. UnauthorizedError for an unknown, expired or spent refresh token.
   */
  refresh?(refreshToken: string): Promise<RefreshedToken>;
  /** For a design that keeps a local copy of Redis state: how big and how current it is (GET /health and /metrics). */
  localState?(): LocalState;
  /** Releases what the design opened itself (a subscriber connection, timers); the app calls it when it closes. */
  close?(): Promise<void>;
}

/** A local copy of Redis state (a denylist, a cache) as GET /health and /metrics report it. */
export interface LocalState {
  /** Entries held in process memory. */
  readonly entries: number;
  /** True while the copy is known current: its invalidation channel is live and it was reloaded since it last was not. */
  readonly synced: boolean;
  /** 0 while synced; otherwise milliseconds since the copy was last known current (or since start, if never). */
  readonly staleMs: number;
}

/** What a design is given; the app owns the store and closes it. */
export interface DesignContext {
  readonly config: ServerConfig;
  readonly users: UserDirectory;
  readonly metrics: ServerMetrics;
  /** Present exactly when the definition says `usesStore`. */
  readonly store: RedisStore<StoreClient> | undefined;
  /** Milliseconds since the epoch; injected so tests can freeze time. */
  readonly clock: () => number;
  /** One line for the operator (stderr of `serve`): a risk the server starts with anyway. */
  readonly warn: (line: string) => void;
}

/**
 * The state a design keeps in Redis, so the cost table can measure it (mean MEMORY USAGE of keys matching
 * `keyPattern`): one per session, or one per revoked token; `none` for a design that keeps nothing there.
 */
export type StateTrait =
  | { readonly kind: 'none' }
  | { readonly kind: 'session' | 'revoked-token'; readonly keyPattern: string };

/**
 * When a logged-out token stops being accepted: at once on every server (`immediate`), after a bounded
 * propagation delay (`propagated`, e.g. a local denylist fed by pub/sub), or not before its `exp` (`at-expiry`:
 * the design cannot revoke, and revoked tokens accepted are its price, not a failure).
 */
export type RevocationTrait = 'immediate' | 'propagated' | 'at-expiry';

/**
 * How a design can behave when Redis fails; the outage scenario runs each one the design supports. `closed`: 503;
 * `open`: served without the Redis check, counted as unchecked (server flag --blacklist-failure open); `none`: no
 * Redis on the request path, nothing to fail.
 */
export type OutagePolicy = 'closed' | 'open' | 'none';

/**
 * What the harness needs to know about a design, declared beside it (as fastify/benchmarks declares `hasRouter`
 * per contender): no file outside the design's own names it. Recorded in every result, so reports and the CI
 * gate read a design's traits from the file, not from this version's registry.
 */
export interface DesignTraits {
  readonly state: StateTrait;
  readonly revocation: RevocationTrait;
  /** At least one; the first is the design's default. */
  readonly failurePolicies: readonly [OutagePolicy, ...OutagePolicy[]];
  /** It signs and verifies JWTs: the JWT options (--jwt-alg ...) apply, and a validate request includes a verify. */
  readonly verifiesJwt: boolean;
  /**
   * Redis commands one validate request (GET /me with a valid token) sends: 0 for a design that validates
   * locally. The decomposition counts that many client-side commands; the sweep compares the designs with none
   * against the designs with some as Redis slows down.
   */
  readonly storeCommandsPerValidate: number;
  /**
   * It issues refresh tokens (POST /refresh, AuthStrategy.refresh): its session clients refresh their access token
   * when it nears expiry (scenarios/session.ts).
   */
  readonly refreshTokens?: true;
  /**
   * It runs on a single Redis only, not on a Redis Cluster: `run --redis-cluster` leaves it out of the default designs
   * and refuses it by name before anything starts.
   */
  readonly singleRedisOnly?: true;
}

export interface DesignDefinition {
  readonly name: string;
  readonly summary: string;
  /** The app opens a Redis client for it (a Redis URL or cluster is then required). */
  readonly usesStore: boolean;
  readonly traits: DesignTraits;
  create(ctx: DesignContext): Promise<AuthStrategy>;
}

/** True when a revoked token must be refused once its logout was acknowledged (and propagated). */
export const refusesRevoked = (traits: DesignTraits): boolean => traits.revocation !== 'at-expiry';

/** The store a design was given, or a clear programming error when the registry and the app disagree. */
export function requireStore(ctx: DesignContext, name: string): RedisStore<StoreClient> {
  if (ctx.store === undefined) throw new Error(`design ${name} needs a Redis store but none was given`);
  return ctx.store;
}
