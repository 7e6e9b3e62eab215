import { Redis } from 'ioredis';
import { resolveServerConfig, type JwtAlg } from '../../servers/config.js';
import { createJwtCodec } from '../../servers/jwt/codec.js';
import type { DesignTraits } from '../../servers/design.js';

/** Where the server time of one `validate` request goes, for one design. Microseconds of server CPU. */
export interface DecompositionRow {
  readonly strategy: string;
  /** Measured: server CPU per validate request (process.cpuUsage around the measured phase). */
  readonly measuredUs: number;
  /** The framework alone: server CPU per GET /health request on the same design, same run. */
  readonly frameworkUs: number;
  /** JwtCodec.verify CPU per call (jose, key imported once, + claim checks); null for a design that verifies no JWT. */
  readonly cryptoUs: number | null;
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
  /** JwtCodec.verify (jose + the claim checks), per call. */
  readonly verifyCpuUs: number;
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
    readonly summary?: { readonly cost?: { readonly serverCpuUsPerRequest: number } | undefined } | undefined;
  }[];
  /** The run's designs in run order, with their traits. */
  readonly designs: Readonly<Record<string, { readonly traits: DesignTraits }>>;
}

/**
 * Puts the measured server CPU per request of `scenario` next to its parts, as each design's traits say it spends
 * it (a JWT verify if it verifies JWTs, its Redis commands per validate). Pure. Rows only for designs with both a
 * cost of the scenario and a ceiling cost.
 */
export function decompose(input: DecompositionInput, scenario: string, parts: PartCosts): DecompositionRow[] {
  const costOf = (match: (c: DecompositionInput['cells'][number]) => boolean, strategy: string) => input.cells.find((c) => c.strategy === strategy && match(c))?.summary?.cost;
  const rows: DecompositionRow[] = [];
  for (const [strategy, { traits }] of Object.entries(input.designs)) {
    const measured = costOf((c) => c.kind === 'load' && c.scenario === scenario, strategy)?.serverCpuUsPerRequest;
    const framework = costOf((c) => c.kind === 'ceiling', strategy)?.serverCpuUsPerRequest;
    if (measured === undefined || framework === undefined) continue;
    const commands = traits.storeCommandsPerValidate;
    const cryptoUs = traits.verifiesJwt ? parts.verifyCpuUs : null;
    const redisUs = commands > 0 ? commands * parts.redisCommandCpuUs : null;
    const restUs = measured - framework - (cryptoUs ?? 0) - (redisUs ?? 0);
    const note =
      restUs < -0.1 * measured
        ? `the parts exceed the measured time by ${Math.round(-restUs)} µs: they were measured apart, in the runner process`
        : restUs > 0.4 * measured
          ? `${Math.round((100 * restUs) / measured)}% is in none of the parts (routing, JSON, the header, the user lookup, GC)`
          : undefined;
    rows.push({ strategy, measuredUs: measured, frameworkUs: framework, cryptoUs, redisUs, restUs, redisRoundTripUs: commands > 0 ? commands * parts.redisRoundTripUs : null, ...(note === undefined ? {} : { note }) });
  }
  return rows;
}

/** CPU microseconds per call of `op`, run `total` times with `concurrency` in flight. */
async function cpuPerCall(op: () => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < total) await op();
  };
  await Promise.all(Array.from({ length: 8 }, worker)); // warm-up
  next = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / total;
}

/**
 * Measures the parts (in this process, like the server would spend them): a JwtCodec with the run's algorithm
 * verifying one token, and GETs through ioredis against the run's Redis.
 */
export async function measureParts(alg: JwtAlg, redisUrl: string, calls: number): Promise<PartCosts> {
  const codec = await createJwtCodec(resolveServerConfig({ jwtAlg: alg }), Date.now);
  const token = await codec.sign('u1', ['user']);
  const verifyCpuUs = await cpuPerCall(async () => codec.verify(token), calls, 64);
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
    return { verifyCpuUs, redisCommandCpuUs, redisRoundTripUs };
  } finally {
    client.disconnect();
  }
}

/** Measures the parts against the run's Redis and decomposes `scenario`. */
export async function measureDecomposition(input: DecompositionInput, scenario: string, alg: JwtAlg, redisUrl: string, calls: number): Promise<Decomposition> {
  const parts = await measureParts(alg, redisUrl, calls);
  return {
    scenario,
    jwtAlg: alg,
    method: `server CPU per request from process.cpuUsage around the measured phase; the parts measured the same way in the runner process, ${calls} calls each with many in flight: JwtCodec.verify (${alg}, jose + claim checks) and one ioredis GET; the round trip is one GET awaited alone`,
    parts,
    rows: decompose(input, scenario, parts),
  };
}
