import { InvalidOptionError } from '../../lib/errors.js';
import { CEILING_SCENARIO, SCENARIO_NAMES, isLoadScenario, isOutageScenario, isScenarioName, type LoadScenarioName, type ScenarioName } from '../../scenarios/index.js';
import { CLUSTER_FAULTS, DEFAULT_FAULTS, FAULT_NAMES, isFaultName, type FaultName } from '../faults/injector.js';
import type { Persistence } from '../../redis/local-server.js';
import { JWT_IMPLS, resolveServerConfig, type JwtAlg, type JwtImpl } from '../../servers/config.js';
import { resolveScaleConfig, type ScaleConfig, type ScaleFlags } from './scale.js';
import { designNames, designOf, isDesignName, type DesignName } from '../../servers/designs/index.js';
import { rawServerOptions, serverArgv, type ServerFlagValues } from '../../servers/options.js';

/** Resolved options of `authbench run`. Recorded whole in every result file. */
export interface RunConfig extends ScaleConfig {
  readonly strategies: readonly DesignName[];
  /** The load scenarios asked for; the ceiling is measured in addition, always. */
  readonly scenarios: readonly ScenarioName[];
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: number;
  /**
   * The offered rates of the equal-load cells (open loop, validate): shares of the slowest design's closed-loop
   * validate throughput in this run, or req/s (`--rate 25%,50%,75%`, `--rate 2000`); empty = none (`--rate none`).
   * Results from before these cells have `rate` instead: one open-loop rate for every cell (autocannon overallRate).
   */
  readonly rates: readonly OfferedRate[];
  /**
   * The equal-load parts, when a caller asks for them (a sweep: validate and session, each at its own fixed rate);
   * absent: one part, the scenario that declares `equalLoad`, at `rates`. Not a flag of `run`.
   */
  readonly equalLoadParts?: readonly EqualLoadPart[];
  readonly repeat: number;
  readonly quick: boolean;
  readonly timeoutSec: number;
  readonly pools: { readonly validate: number; readonly logout: number; readonly revocation: number };
  readonly outDir: string;
  readonly jsonFile: string | undefined;
  readonly redisUrl: string | undefined;
  /** Seeded users on every server (the --users server option). */
  readonly users: number;
  /** The JWT algorithm of the servers (--jwt-alg). */
  readonly jwtAlg: JwtAlg;
  /**
   * The JWT libraries (--jwt-impl, a list): each design that verifies JWTs is measured with each, in turn; the first
   * is the one of the outage cells. Results from before this option ran jose.
   */
  readonly jwtImpls: readonly JwtImpl[];
  /** fast-jwt's verification cache for the fast-jwt servers (--jwt-cache), entries; 0 = off. */
  readonly jwtCache: number;
  /** Server options passed through to every `authbench serve`, as argv. */
  readonly serverArgs: readonly string[];
  /** Milliseconds added to every Redis reply for the whole run, through the proxy (0 = direct). */
  readonly redisLatencyMs: number;
  /** Put the proxy in front of Redis even at 0 added latency (a sweep does, so that every point pays the same hop). */
  readonly redisProxy: boolean;
  readonly outage: OutageConfig;
  /** Server processes per design in the propagation scenario (--instances): the logout goes to one, the others are polled. */
  readonly instances: number;
}

/** A scenario the paced generator can drive (it declares `paced`), at these offered rates (a share: of its own slowest design). */
export interface EqualLoadPart {
  readonly scenario: LoadScenarioName;
  readonly rates: readonly OfferedRate[];
}

/** One offered rate: a share of the slowest design's closed-loop validate throughput in the run, or req/s. */
export type OfferedRate = { readonly share: number } | { readonly rps: number };

/** `25%,50%,75%`, `2000,4000`, `none`. Throws InvalidOptionError naming --rate. */
export function parseRates(value: string): OfferedRate[] {
  if (value.trim() === 'none') return [];
  const items = value.split(',').map((s) => s.trim());
  return items.map((item): OfferedRate => {
    const share = /^(\d+(?:\.\d+)?)%$/.exec(item);
    if (share !== null) {
      const n = Number(share[1]);
      if (n > 0 && n <= 100) return { share: n / 100 };
    } else if (/^\d+$/.test(item) && Number(item) >= 1) return { rps: Number(item) };
    throw new InvalidOptionError(`--rate takes a comma-separated list of shares of the slowest design's validate throughput (25%, in (0, 100]) or requests per second (integers >= 1), or none; got ${JSON.stringify(item)}`);
  });
}

/** The text of an offered rate: `25%` or `2,000 req/s`. */
export const offeredRateLabel = (r: OfferedRate): string => ('share' in r ? `${Math.round(r.share * 1000) / 10}%` : `${r.rps.toLocaleString('en-US')} req/s`);

export interface OutageConfig {
  readonly faults: readonly FaultName[];
  /** Seconds before, during and after the fault. */
  readonly phasesSec: readonly [number, number, number];
  /** Reply delay of the `latency` fault. */
  readonly faultLatencyMs: number;
  readonly persistence: Persistence;
  /** Timeline resolution. */
  readonly bucketMs: number;
}

/**
 * Whether the run measures the ceiling (GET /health, first on each server): each load scenario is read as a fraction
 * of it, and an outage without a --rate in req/s takes its rate from it. A run of propagation alone, or of outages at
 * a --rate in req/s, has nothing to read by it and skips it (on 2 cores it is 2.6 s of saturation per design).
 */
export function measuresCeiling(config: Pick<RunConfig, 'scenarios' | 'rates'>): boolean {
  if (config.scenarios.some(isLoadScenario)) return true;
  return config.scenarios.some(isOutageScenario) && !config.rates.some((r) => 'rps' in r);
}

/**
 * The scenarios of a run without --scenarios: those the verdict table reads (validate, revocation, session; the
 * ceiling runs with them, see measuresCeiling). login and logout (their cost rows), outage and propagation are asked for by name or with
 * `all`: with the six designs a run of every scenario takes well over the 8 minutes `npm run bench` may take.
 */
export const DEFAULT_SCENARIOS: readonly LoadScenarioName[] = ['validate', 'revocation', 'session'];

/**
 * The defaults of a full run: the six designs × DEFAULT_SCENARIOS in about 6 minutes on a 2-core machine (3
 * repetitions of 0.5 s warm-up + 2 s measured per cell, then validate at one equal offered rate; `--rate` for more).
 */
export const runDefaults = {
  durationSec: 2,
  warmupSec: 0.5,
  connections: 50,
  repeat: 3,
  timeoutSec: 10,
  pools: { validate: 1000, logout: 15000, revocation: 1000 },
  phasesSec: [5, 10, 10],
  faults: DEFAULT_FAULTS,
  rates: '50%',
} as const;

/** `--quick`: a smoke run of at most a minute in all. Explicit flags still win. */
export const quickDefaults = {
  durationSec: 1,
  warmupSec: 0.5,
  connections: 20,
  repeat: 1,
  timeoutSec: 5,
  pools: { validate: 200, logout: 3000, revocation: 200 },
  phasesSec: [1, 2, 2],
  faults: ['kill', 'stop', 'flush'],
  rates: '50%',
} as const;

export interface RunFlags extends ServerFlagValues, ScaleFlags {
  strategies?: string;
  scenarios?: string;
  duration?: string;
  warmup?: string;
  connections?: string;
  rate?: string;
  repeat?: string;
  quick?: boolean;
  out?: string;
  json?: string;
  faults?: string;
  instances?: string;
  phases?: string;
  faultLatency?: string;
  redisPersistence?: string;
  redisLatency?: string;
  redisProxy?: boolean;
}

/** Milliseconds from `50ms`, `0.25ms`, `1s` or a bare number of milliseconds. */
export function parseMs(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(value);
  if (m === null || m[1] === undefined) throw new InvalidOptionError(`${flag} must be a duration like 50ms, 0.25ms or 1s, got ${JSON.stringify(value)}`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (n > 60_000) throw new InvalidOptionError(`${flag} must be at most 60s, got ${JSON.stringify(value)}`);
  return n;
}

function phases(value: string | undefined, fallback: readonly [number, number, number]): [number, number, number] {
  if (value === undefined) return [...fallback];
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p <= 0 || p > 600)) {
    throw new InvalidOptionError(`--phases must be three numbers of seconds (before,during,after), each > 0 and <= 600, got ${JSON.stringify(value)}`);
  }
  return parts as [number, number, number];
}

function list<T extends string>(flag: string, value: string | undefined, valid: readonly T[], isValid: (s: string) => boolean, fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidOptionError(`${flag} needs at least one of: ${valid.join(', ')}`);
  for (const item of items) {
    if (!isValid(item)) throw new InvalidOptionError(`${flag}: unknown ${JSON.stringify(item)}; valid values: ${valid.join(', ')}`);
  }
  return [...new Set(items as T[])];
}

function num(flag: string, value: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidOptionError(`${flag} must be ${rule}, got ${JSON.stringify(value)}`);
  return n;
}

/** Validates every flag before anything starts; throws InvalidOptionError (exit 2) naming the flag. */
export function resolveRunConfig(flags: RunFlags, env: NodeJS.ProcessEnv, now = new Date()): RunConfig {
  const base = flags.quick === true ? quickDefaults : runDefaults;
  // Server options are validated here too, so a bad --jwt-alg fails before any process starts.
  const listed = list('--strategies', flags.strategies, designNames(), isDesignName, designNames());
  const scale = resolveScaleConfig(flags, { given: flags.strategies, resolved: listed });
  // A design built for a single Redis is left out of a cluster run's defaults, and refused there by name.
  const singleOnly = listed.filter((s) => designOf(s).traits.singleRedisOnly === true);
  if (scale.redisCluster !== undefined && singleOnly.length > 0 && flags.strategies !== undefined) {
    throw new InvalidOptionError(`--redis-cluster: ${singleOnly.join(', ')} runs on a single Redis only; leave it out of --strategies (the designs that run on a cluster: ${designNames().filter((s) => designOf(s).traits.singleRedisOnly !== true).join(', ')})`);
  }
  const strategies = scale.redisCluster === undefined ? listed : listed.filter((s) => !singleOnly.includes(s));
  const jwtImpls = list('--jwt-impl', flags.jwtImpl, JWT_IMPLS, (s) => (JWT_IMPLS as readonly string[]).includes(s), [JWT_IMPLS[0]]);
  // `--redis-cluster local` is the run's to start; the servers get the seed nodes once it runs. Each implementation's
  // server options are checked (the cache is fast-jwt's, so only its servers get --jwt-cache).
  const serverFlags = { ...flags, ...(scale.redisCluster === 'local' ? { redisCluster: undefined } : {}) };
  const [server] = jwtImpls.map((jwtImpl) => resolveServerConfig(rawServerOptions({ ...serverFlags, jwtImpl, ...(jwtImpl === 'fast-jwt' ? {} : { jwtCache: undefined }) }, env)));
  if (server === undefined) throw new InvalidOptionError('--jwt-impl needs at least one implementation');
  const jwtCache = resolveServerConfig(rawServerOptions({ jwtImpl: 'fast-jwt', jwtCache: flags.jwtCache }, {})).jwtCache;
  if (scale.target !== undefined && (flags.jwtImpl !== undefined || flags.jwtCache !== undefined)) {
    throw new InvalidOptionError('--target measures a server authbench does not start: its JWT library is its own, so --jwt-impl and --jwt-cache cannot apply to it');
  }
  if (jwtCache > 0 && !jwtImpls.includes('fast-jwt')) throw new InvalidOptionError(`--jwt-cache is fast-jwt's verification cache: it needs fast-jwt among --jwt-impl, got ${jwtImpls.join(',')}`);
  const scenarioNames: readonly string[] = [...SCENARIO_NAMES.filter((s) => s !== CEILING_SCENARIO), 'all'];
  const scenarios: ScenarioName[] = (
    flags.scenarios?.trim() === 'all' ? [...SCENARIO_NAMES] : list('--scenarios', flags.scenarios, scenarioNames as ScenarioName[], isScenarioName, DEFAULT_SCENARIOS)
  ).filter((s) => s !== CEILING_SCENARIO);
  if (scale.target !== undefined && scenarios.includes('propagation')) {
    throw new InvalidOptionError('--target measures one server authbench does not start; the propagation scenario starts --instances servers of its own: run it without --target');
  }
  const faults = list('--faults', flags.faults, FAULT_NAMES, isFaultName, scale.redisCluster === undefined ? base.faults : CLUSTER_FAULTS);
  const persistence = (flags.redisPersistence ?? 'none') as Persistence;
  if (persistence !== 'none' && persistence !== 'aof') throw new InvalidOptionError(`--redis-persistence must be one of none, aof, got ${JSON.stringify(persistence)}`);
  if (persistence !== 'none' && server.redisUrl !== undefined) throw new InvalidOptionError('--redis-persistence applies to the Redis authbench starts, not to --redis-url');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return Object.freeze({
    ...scale,
    strategies,
    scenarios,
    durationSec: num('--duration', flags.duration, base.durationSec, (n) => n > 0 && n <= 3600, 'a number of seconds > 0 and <= 3600'),
    warmupSec: num('--warmup', flags.warmup, base.warmupSec, (n) => n >= 0 && n <= 600, 'a number of seconds >= 0 and <= 600'),
    connections: num('--connections', flags.connections, base.connections, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'an integer from 1 to 10000'),
    rates: parseRates(flags.rate ?? base.rates),
    repeat: num('--repeat', flags.repeat, base.repeat, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100'),
    quick: flags.quick === true,
    timeoutSec: base.timeoutSec,
    pools: base.pools,
    outDir: flags.out ?? `results/${stamp}`,
    jsonFile: flags.json,
    redisUrl: server.redisUrl,
    users: server.users,
    jwtAlg: server.jwtAlg,
    jwtImpls: scale.target === undefined ? jwtImpls : [],
    jwtCache,
    // The implementation and its cache go per server (jwtArgs), not to every server.
    serverArgs: serverArgv({ ...flags, jwtImpl: undefined, jwtCache: undefined }),
    redisLatencyMs: flags.redisLatency === undefined ? 0 : parseMs('--redis-latency', flags.redisLatency),
    redisProxy: flags.redisProxy === true,
    instances: num('--instances', flags.instances, 2, (n) => Number.isInteger(n) && n >= 2 && n <= 8, 'an integer from 2 to 8'),
    outage: {
      faults,
      phasesSec: phases(flags.phases, base.phasesSec),
      faultLatencyMs: flags.faultLatency === undefined ? 50 : parseMs('--fault-latency', flags.faultLatency),
      persistence,
      bucketMs: 250,
    },
  });
}

/** The server flags of one JWT implementation in this run: --jwt-impl, and the cache for fast-jwt when asked for. */
export function jwtArgs(config: Pick<RunConfig, 'jwtCache'>, impl: JwtImpl): string[] {
  return ['--jwt-impl', impl, ...(impl === 'fast-jwt' && config.jwtCache > 0 ? ['--jwt-cache', String(config.jwtCache)] : [])];
}
