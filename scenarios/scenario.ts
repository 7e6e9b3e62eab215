import type autocannon from 'autocannon';
import type { RejectReason } from '../lib/errors.js';
import type { DesignTraits } from '../servers/design.js';

/** A token and the user it was issued to (the `username` of the login that returned it). */
export interface IssuedToken {
  readonly token: string;
  readonly username: string;
}

/** Token pools a scenario draws from: issued (and, for revocation, logged out) before the measurement. */
export interface TokenSource {
  /** `n` fresh tokens, one login each, users rotating over the seeded set. */
  issue(n: number): Promise<string[]>;
  /** As `issue`, each token with the user it was issued to, so that an answer naming another user can be caught. */
  issueNamed(n: number): Promise<IssuedToken[]>;
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
  /** The GET /me bodies this plan's requests checked, read when the phase is over (see `MeBodySample`). */
  readonly content?: ContentCounts;
  /** Sessions the plan's clients started and the refreshes they made, read when the phase is over (session only). */
  readonly sessions?: SessionTally;
}

/** Sessions started (logins answered 200), refreshes made (POST /refresh answered 200), and refreshes refused. */
export interface SessionTally {
  readonly sessions: number;
  readonly refreshes: number;
  readonly refreshesFailed: number;
  /**
   * The life (`exp` − `iat`, s) of the access tokens the clients refreshed by, read from a login answer; absent for a
   * design without refresh tokens, and in results from before.
   */
  readonly accessTtlSec?: number;
}

/** A tally as plain data, for a result (no `accessTtlSec` where none was read). */
export function tallyOf(t: SessionTally): SessionTally {
  const { sessions, refreshes, refreshesFailed, accessTtlSec } = t;
  return { sessions, refreshes, refreshesFailed, ...(accessTtlSec === undefined ? {} : { accessTtlSec }) };
}

/** 200 answers whose body was checked against the user the token was issued to, and how many named another. */
export interface ContentCounts {
  readonly checked: number;
  readonly mismatches: number;
}

/** Every 200 of the first `CONTENT_SAMPLE_ALL` of a phase is checked, then every `CONTENT_SAMPLE_EVERY`-th. */
export const CONTENT_SAMPLE_ALL = 1000;
export const CONTENT_SAMPLE_EVERY = 100;

/** Whether the n-th (0-based) 200 of a phase is checked: all of a small cell, at least 1% of a large one. */
export const isSampled = (n: number): boolean => n < CONTENT_SAMPLE_ALL || n % CONTENT_SAMPLE_EVERY === 0;

/**
 * Checks a sample of GET /me 200 bodies against the user each request's token was issued to: one JSON parse and
 * one string compare per checked body, nothing for the others, so the load generator's hot path barely changes.
 * One per plan (per phase): the counts are the plan's, never shared between runs.
 */
export class MeBodySample implements ContentCounts {
  checked = 0;
  mismatches = 0;
  private seen = 0;

  /** Called with each 200 body and the username its token was issued to (undefined: not known, a mismatch). */
  check(body: string, expectedUsername: string | undefined): void {
    if (this.wantsNext()) this.checkNow(body, expectedUsername);
  }

  /**
   * For a client that reads a body only when it is checked: counts the next 200 and says whether it is in the
   * sample; if so, pass its body to checkNow.
   */
  wantsNext(): boolean {
    return isSampled(this.seen++);
  }

  checkNow(body: string, expectedUsername: string | undefined): void {
    this.checked++;
    if (expectedUsername === undefined || usernameOf(body) !== expectedUsername) this.mismatches++;
  }
}

function usernameOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { username?: unknown } | null)?.username;
  } catch {
    return undefined;
  }
}

/**
 * What an autocannon connection remembers between a request's setup and its answer: the user of the token it sent.
 * With pipelining 1 (the only setting authbench uses) a connection has one request in flight, so this is the user
 * of the answer that arrives next.
 */
export interface MeContext {
  expectedUsername?: string | undefined;
}

/**
 * A GET /me request that carries the next token of the pool (rotating, shared by all connections) and checks a
 * sample of the 200 bodies with `sample`. The headers are built once, before the load.
 */
export function meRequest(tokens: readonly IssuedToken[], sample: MeBodySample): autocannon.Request {
  const next = rotating(tokens.map((t) => ({ authorization: `Bearer ${t.token}`, username: t.username })));
  return {
    method: 'GET',
    path: '/me',
    setupRequest: (req: autocannon.Request, context: MeContext) => {
      const t = next();
      context.expectedUsername = t.username;
      return { ...req, headers: { ...req.headers, authorization: t.authorization } };
    },
    // autocannon calls this for every answer (and first turns its raw headers into an object, about 0.5 µs);
    // the body itself is looked at only for the sample.
    onResponse: (status: number, body: string, context: MeContext) => {
      if (status === 200) sample.check(body, context.expectedUsername);
    },
  };
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
  /**
   * The reasons (GET /metrics `rejected`) a refusal may carry when a refusal is a correct answer here. A refusal for
   * any other reason was counted correct by its 401 and is a wrong answer (a `malformed` refusal never reached the
   * check the scenario is about). Where a 401 is itself wrong, its status already counted it.
   */
  readonly refusals?: readonly RejectReason[];
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
  /**
   * How the paced open-loop generator can drive this scenario at equal load (a run's default part is the scenario
   * that declares `equalLoad`; a sweep asks for others by name): `me`, GET /me over the scenario's token pool, one
   * request per due time; `session`, a whole session per due time (login → mePerSession × GET /me → logout, each
   * request when the previous one is answered). Absent: it cannot be paced.
   */
  readonly paced?: PacedShape;
  /**
   * Server options this scenario needs for a design with these traits (the session scenario: a short access token
   * for a design with refresh tokens). The run starts the design's server with them for this scenario's cells.
   */
  readonly serverArgs?: (traits: DesignTraits) => readonly string[];
  plan(ctx: ScenarioContext): Promise<LoadPlan>;
  /** The right answers for a design with these traits. */
  expect(traits: DesignTraits): Expectation;
}

/** See Scenario.paced. */
export type PacedShape = { readonly kind: 'me' } | { readonly kind: 'session'; readonly mePerSession: number };

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

/**
 * How fast a logout reaches every server: several server processes of one design sharing key and Redis; a token is
 * logged out on one and then polled on the others until each refuses it. The orchestration lives in
 * bench/run/propagation-cells.ts; this says what one cell does.
 */
export interface PropagationScenario {
  readonly kind: 'propagation';
  readonly name: string;
  readonly summary: string;
  /** Logouts per cell, each with a fresh token (`quickLogouts` with --quick). */
  readonly logouts: number;
  readonly quickLogouts: number;
  /**
   * The token lifetime of the cell's servers (--token-ttl, and --access-ttl for jwt-refresh's access token): short,
   * so that a design that cannot revoke is seen refusing at `exp` (measured, not assumed) without a long wait.
   */
  readonly tokenTtlSec: number;
  /** How long after the logout's acknowledgement an instance is polled at most (past `exp`). */
  readonly windowMs: number;
  /** Polls go back to back (one in flight per instance) for this long after the acknowledgement, then every `coarsePollMs`. */
  readonly finePollMs: number;
  readonly coarsePollMs: number;
  /** Refusals in a row that end an instance's polling (a later 200 would be a refusal undone: counted). */
  readonly confirmations: number;
  /**
   * Each design is measured idle and then with the polled instances serving a paced GET /me load at this rate
   * (req/s; `quickLoadRps` with --quick), so that a busy event loop's delay in handling an invalidation shows.
   */
  readonly loadRps: number;
  readonly quickLoadRps: number;
}
