import type autocannon from 'autocannon';
import type { StrategyName } from '../servers/designs/index.js';

/** Token pools a scenario draws from: issued (and, for revocation, logged out) before the measurement. */
export interface TokenSource {
  /** `n` fresh tokens, one login each, users rotating over the seeded set. */
  issue(n: number): Promise<string[]>;
  /** Logs each token out (expects 204 for all; throws otherwise). */
  revoke(tokens: readonly string[]): Promise<void>;
}

export interface ScenarioContext {
  readonly strategy: StrategyName;
  readonly tokens: TokenSource;
  /** Seeded users on the server (user0 … user{users-1}). */
  readonly users: number;
  /** Size of the pool for this phase, from the run options. */
  readonly poolSize: number;
  readonly phase: 'warmup' | 'measure';
}

/** What autocannon runs for one phase. */
export interface LoadPlan {
  /** Cycled per connection; autocannon keeps a `context` per connection across the sequence. */
  readonly requests: autocannon.Request[];
  /**
   * Consumable pools (logout): the phase ends after this many requests or at the duration, whichever comes
   * first, so that no token is used twice.
   */
  readonly amount?: number;
}

/** Which answers are right for this scenario and design. Statuses not listed are errors (counted apart). */
export interface Expectation {
  /** Statuses that are the correct answer; only these count toward req/s. */
  readonly ok: readonly number[];
  /** Statuses that are a wrong answer (a valid token refused, a revoked token accepted). */
  readonly wrong: readonly number[];
  /** The status that means "a revoked token was accepted" (revocation only). */
  readonly revokedAccepted?: number;
}

export interface Scenario {
  readonly kind: 'load';
  readonly name: string;
  readonly summary: string;
  /** The pool size option this scenario uses, if any. */
  readonly pool?: 'validate' | 'logout' | 'revocation';
  plan(ctx: ScenarioContext): Promise<LoadPlan>;
  expect(strategy: StrategyName): Expectation;
}

/** A rotating index over a pool, shared by all connections of one autocannon instance. */
export function rotating<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('empty pool');
  let i = 0;
  return () => {
    const item = items[i] as T;
    i = (i + 1) % items.length;
    return item;
  };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A login request body for user n, pre-built so that the load generator spends no time on it. */
export function loginBodies(users: number, count = Math.min(users, 1000)): string[] {
  return Array.from({ length: count }, (_, n) => JSON.stringify({ username: `user${n}`, password: `pass${n}` }));
}

/**
 * A scenario that is not a throughput measurement: an open-loop load through a Redis fault, in three phases.
 * The orchestration lives in bench/outage/; this says what the load is made of.
 */
export interface OutageScenario {
  readonly kind: 'outage';
  readonly name: string;
  readonly summary: string;
  /** Valid tokens, issued before the load; each request picks the next one. */
  readonly validTokens: number;
  /** Tokens logged out before the load; every `1 / revokedShare`-th request carries one. */
  readonly revokedTokens: number;
  readonly revokedShare: number;
}
