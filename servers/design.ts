import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './metrics.js';
import type { RedisStore, StoreClient } from './store/redis-store.js';
import type { User, UserDirectory } from './users.js';

export interface IssuedToken {
  readonly token: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
}

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
}

/** What a strategy is given; the app owns the store and closes it. */
export interface StrategyContext {
  readonly config: ServerConfig;
  readonly users: UserDirectory;
  readonly metrics: ServerMetrics;
  /** Present exactly when the definition says `usesStore`. */
  readonly store: RedisStore<StoreClient> | undefined;
  /** Milliseconds since the epoch; injected so tests can freeze time. */
  readonly clock: () => number;
}

export interface StrategyDefinition {
  readonly name: string;
  readonly summary: string;
  readonly usesStore: boolean;
  create(ctx: StrategyContext): Promise<AuthStrategy>;
}

/** The store a strategy was given, or a clear programming error when the registry and the app disagree. */
export function requireStore(ctx: StrategyContext, name: string): RedisStore<StoreClient> {
  if (ctx.store === undefined) throw new Error(`strategy ${name} needs a Redis store but none was given`);
  return ctx.store;
}
