import { Redis } from 'ioredis';
import type { DesignTraits } from '../../servers/design.js';
import type { JwtAlg, JwtImpl } from '../../servers/jwt/algs.js';
import { cpuPerCall, measureJwtParts, type JwtPartCosts } from './jwt-parts.js';

/**
 * Where the server time of one request of the decomposed scenario goes, for one design (and, for a design that
 * verifies JWTs, one library). Microseconds of server CPU.
 */
export interface DecompositionRow {
  readonly strategy: string;
  /** The JWT library of the row; absent for a design that verifies no JWT. */
  readonly jwtImpl?: string;
  /** Measured: server CPU per request (process.cpuUsage around the measured phase). */
  readonly measuredUs: number;
  /** The framework alone: server CPU per GET /health request on the same server, same run. */
  readonly frameworkUs: number;
  /** The signature check alone (node:crypto, KeyObject): what any library must spend; null without a JWT. */
  readonly cryptoFloorUs: number | null;
  /** The thread-pool hop of a WebCrypto library (the check through WebCrypto − the floor); null otherwise. */
  readonly threadPoolUs: number | null;
  /** The library's own work around the check: decoding, the claim checks, promises (its verify − the above). */
  readonly jwtLibraryUs: number | null;
  /** Client-side CPU of the design's Redis commands per request (one ioredis command, many in flight); null without any. */
  readonly redisUs: number | null;
  /** measured − the parts above. */
  readonly restUs: number;
  /** Its Redis commands' round trips (one GET awaited alone, each): what a request waits for (latency, not CPU); null without any. */
  readonly redisRoundTripUs: number | null;
  /** Set when the parts do not add up (the rest is negative, or more than 40% of the measured time). */
  readonly note?: string;
}

export interface Decomposition {
  /** The scenario decomposed (the one that declares `decomposed`: validate). */
  readonly scenario: string;
  readonly jwtAlg: JwtAlg;
  readonly method: string;
  readonly parts: PartCosts;
  readonly rows: DecompositionRow[];
}

/** CPU cost of the parts, measured like the server's: process.cpuUsage around many operations in flight. */
export interface PartCosts {
  /** Per JWT library of the run: its verify, the floor, the thread-pool hop. */
  readonly jwt: Partial<Record<JwtImpl, JwtPartCosts>>;
  /** One ioredis GET, client side, per call, with many in flight. */
  readonly redisCommandCpuUs: number;
  /** One GET awaited alone, wall time. */
  readonly redisRoundTripUs: number;
}

/** What decompose reads of a run (a structural subset of the result): the cells' CPU per request, the designs' traits. */
export interface DecompositionInput {
  readonly cells: readonly {
    readonly kind: string;
    readonly scenario: string;
    readonly strategy: string;
    readonly jwtImpl?: string | undefined;
    readonly summary?: { readonly cost?: { readonly serverCpuUsPerRequest: number } | undefined } | undefined;
  }[];
  /** The run's designs in run order, with their traits. */
  readonly designs: Readonly<Record<string, { readonly traits: DesignTraits }>>;
  /** The library of a JWT design's cells that do not name one (a run of one library). */
  readonly defaultJwtImpl: JwtImpl | undefined;
}

type Cell = DecompositionInput['cells'][number];

/**
 * Puts the measured server CPU per request of `scenario` next to its parts, as each design's traits say it spends
 * it (a JWT check if it verifies JWTs, split into the floor, the thread-pool hop and the library; its Redis commands).
 * Pure. A row per design and JWT library with both a cost of the scenario and a ceiling cost on the same server.
 */
export function decompose(input: DecompositionInput, scenario: string, parts: PartCosts): DecompositionRow[] {
  const rows: DecompositionRow[] = [];
  for (const [strategy, { traits }] of Object.entries(input.designs)) {
    const mine = input.cells.filter((c) => c.strategy === strategy);
    const impls = traits.verifiesJwt ? [...new Set(mine.map((c) => c.jwtImpl ?? input.defaultJwtImpl))] : [undefined];
    for (const impl of impls) {
      const sameServer = (c: Cell): boolean => !traits.verifiesJwt || (c.jwtImpl ?? input.defaultJwtImpl) === impl;
      const measured = mine.find((c) => c.kind === 'load' && c.scenario === scenario && sameServer(c))?.summary?.cost?.serverCpuUsPerRequest;
      const framework = mine.find((c) => c.kind === 'ceiling' && sameServer(c))?.summary?.cost?.serverCpuUsPerRequest;
      if (measured === undefined || framework === undefined) continue;
      const jwt = impl === undefined ? undefined : parts.jwt[impl as JwtImpl];
      const commands = traits.storeCommandsPerValidate;
      const cryptoFloorUs = jwt?.floorCpuUs ?? null;
      const threadPoolUs = jwt?.threadPoolCpuUs ?? null;
      const jwtLibraryUs = jwt === undefined ? null : jwt.verifyCpuUs - jwt.floorCpuUs - (jwt.threadPoolCpuUs ?? 0);
      const redisUs = commands > 0 ? commands * parts.redisCommandCpuUs : null;
      const restUs = measured - framework - (jwt?.verifyCpuUs ?? 0) - (redisUs ?? 0);
      const note =
        restUs < -0.1 * measured
          ? `the parts exceed the measured time by ${Math.round(-restUs)} µs: they were measured apart, in the runner process`
          : restUs > 0.4 * measured
            ? `${Math.round((100 * restUs) / measured)}% is in none of the parts (routing, JSON, the header, the user lookup, GC)`
            : undefined;
      rows.push({
        strategy,
        ...(impl === undefined ? {} : { jwtImpl: impl }),
        measuredUs: measured,
        frameworkUs: framework,
        cryptoFloorUs,
        threadPoolUs,
        jwtLibraryUs,
        redisUs,
        restUs,
        redisRoundTripUs: commands > 0 ? commands * parts.redisRoundTripUs : null,
        ...(note === undefined ? {} : { note }),
      });
    }
  }
  return rows;
}

/**
 * Measures the parts (in this process, like the server would spend them): each library's verify with the run's
 * algorithm and its signature primitives (jwt-parts.ts), and GETs through ioredis against the run's Redis.
 */
export async function measureParts(alg: JwtAlg, impls: readonly JwtImpl[], redisUrl: string, calls: number): Promise<PartCosts> {
  const jwt = await measureJwtParts(alg, impls, calls);
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.set('authbench:decomposition', 'x', 'EX', 60);
    const redisCommandCpuUs = await cpuPerCall(() => client.get('authbench:decomposition'), calls, 100);
    const t0 = performance.now();
    const n = Math.min(calls, 500);
    for (let i = 0; i < n; i++) await client.get('authbench:decomposition');
    const redisRoundTripUs = ((performance.now() - t0) * 1000) / n;
    await client.del('authbench:decomposition');
    return { jwt, redisCommandCpuUs, redisRoundTripUs };
  } finally {
    client.disconnect();
  }
}

/** Measures the parts against the run's Redis and decomposes `scenario`. */
export async function measureDecomposition(input: DecompositionInput, scenario: string, alg: JwtAlg, impls: readonly JwtImpl[], redisUrl: string, calls: number): Promise<Decomposition> {
  const parts = await measureParts(alg, impls, redisUrl, calls);
  return {
    scenario,
    jwtAlg: alg,
    method:
      `server CPU per request from process.cpuUsage around the measured phase; the parts measured the same way in the runner process, ${calls} calls each with many in flight: ` +
      `each JWT library's verify (${alg}, every check), the signature check alone with node:crypto and a KeyObject (the floor), the same check through WebCrypto for a WebCrypto library (its excess over the floor is the thread-pool hop), and one ioredis GET; the round trip is one GET awaited alone`,
    parts,
    rows: decompose(input, scenario, parts),
  };
}
