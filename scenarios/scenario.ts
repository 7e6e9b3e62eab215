import type autocannon from 'autocannon';
import type { DesignTraits } from '../servers/design.js';

/** Token pools a scenario draws from: issued (and, for revocation, logged out) before the measurement. */
export interface TokenSource {
  /** `n` fresh tokens, one login each, users rotating over the seeded set. */
  issue(n: number): Promise<string[]>;
  /** Logs each token out (expects 204 for all; throws otherwise). */
  revoke(tokens: readonly string[]): Promise<void>;
}

export interface ScenarioContext {
  /** What the design under load is: a scenario whose clients behave per design reads it here, never the name. */
  readonly traits: DesignTraits;
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
  /**
   * The status that means "a revoked token was accepted". A scenario that sets it gets a "revoked accepted"
   * count in its cells and a column of that name in every table.
   */
  readonly revokedAccepted?: number;
}

/** The token pools a run prepares (sizes in the run options: --quick has smaller ones). */
export type PoolName = 'validate' | 'logout' | 'revocation';

/** A pool of tokens issued before the measurement. */
export interface PoolUse {
  readonly name: PoolName;
  /**
   * Every request uses up a token (logout): the warm-up gets a pool sized to its own length, and the measured phase
   * ends when its pool is used up, so no token is sent twice. Otherwise each phase is given the full pool to cycle.
   */
  readonly consumed: boolean;
}

export interface Scenario {
  readonly kind: 'load';
  readonly name: string;
  readonly summary: string;
  /**
   * The calibration scenario (GET /health): measured first on every server, whatever was asked, and every other
   * figure is divided by it. Exactly one scenario of the registry has it.
   */
  readonly ceiling?: true;
  /** The token pool this scenario draws from, if any. */
  readonly pool?: PoolUse;
  /** The run splits this scenario's server CPU per request into its parts (framework, JWT verify, Redis, rest). */
  readonly decomposed?: true;
  /**
   * The run also drives this scenario at equal offered open-loop rates (`--rate`), paced by authbench: GET /me over
   * its token pool, each request due at a fixed time. Latency is compared there, not in the closed-loop cells.
   */
  readonly equalLoad?: true;
  plan(ctx: ScenarioContext): Promise<LoadPlan>;
  /** The right answers for a design with these traits. */
  expect(traits: DesignTraits): Expectation;
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
 * The orchestration lives in bench/run/outage-cells.ts; this says what the load is made of.
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
  /**
   * The load scenario whose requests are of the same kind: without --rate, the outage runs at a quarter of its
   * slowest design's throughput in the same run, a rate every design sustains comfortably.
   */
  readonly rateReference: string;
}
