import type { Environment } from '../run/environment.js';
import type { RunResult } from '../result/schema.js';
import type { RunConfig } from '../run/config.js';
import { cellKey, legacyRateOf } from '../result/schema.js';

/**
 * The machine class a result belongs to. Ratios to the ceiling travel between machines of one class (a CI
 * runner today and tomorrow), not between classes: core count changes how the load generator, the server
 * and Redis share the CPU; another OS, architecture, Node or Redis major changes the code that runs.
 * The kernel release, CPU model, memory and package versions are not part of it: the CPU model differs
 * between runners of one CI pool, and a dependency upgrade is exactly what the gate should measure.
 */
export interface EnvironmentClass {
  readonly os: string;
  readonly arch: string;
  readonly cpuCount: number;
  readonly nodeMajor: string;
  readonly redisMajor: string;
}

export function environmentClass(env: Environment): EnvironmentClass {
  return {
    os: env.platform.split(' ')[0] ?? env.platform,
    arch: env.arch,
    cpuCount: env.cpuCount,
    nodeMajor: /^v?(\d+)/.exec(env.node)?.[1] ?? env.node,
    redisMajor: /^(\d+)\./.exec(env.redisVersion)?.[1] ?? env.redisVersion,
  };
}

export const describeClass = (c: EnvironmentClass): string => `${c.os} ${c.arch}, ${c.cpuCount} CPUs, Node ${c.nodeMajor}, Redis ${c.redisMajor}`;

/** The load options of every run; the server options recorded in `config.serverArgs` come on top. */
export const LOAD_OPTION_NAMES = ['connections', 'duration', 'warmup', 'rate', 'timeout', 'pools', 'users', 'redis-latency', 'redis', 'redis-cluster', 'target', 'jwt-impl', 'jwt-cache', 'generator'] as const;

/**
 * What generated a result's load: authbench, or Artillery at the arrival rates its scripts were exported at. Two
 * imports at different rates, or an import and authbench's own closed loop, measured different loads.
 */
export function generatorOf(result: Pick<RunResult, 'importedFrom' | 'importedRps'>): string {
  if (result.importedFrom !== 'artillery') return 'authbench';
  const rps = result.importedRps ?? [];
  return `Artillery, open arrivals at ${rps.length === 0 ? 'an unrecorded rate' : `${rps.join(', ')} req/s`}`;
}

/**
 * The load options of a run, by the name used on the command line: the run's own, and every server option it
 * passed to its servers (`--jwt-alg HS256` → `jwt-alg`). `repeat` is not among them: the statistics use
 * however many repetitions each run has.
 */
export function loadOptions(config: RunConfig): Record<string, string> {
  const scale = config as Partial<Pick<RunConfig, 'redisCluster' | 'target' | 'redisProxy'>>;
  const out: Record<string, string> = {
    connections: String(config.connections),
    duration: `${config.durationSec} s`,
    warmup: `${config.warmupSec} s`,
    rate: legacyRateOf(config) === undefined ? 'closed loop' : `${legacyRateOf(config)} req/s`,
    timeout: `${config.timeoutSec} s`,
    pools: JSON.stringify(config.pools),
    users: String(config.users),
    // The delaying proxy is one more hop even at 0 ms (`sweep` keeps it there): part of the same option.
    'redis-latency': `${config.redisLatencyMs} ms${config.redisLatencyMs === 0 && scale.redisProxy === true ? ' through the proxy' : ''}`,
    redis: config.redisUrl === undefined ? 'started by authbench' : 'given by --redis-url',
    // Results from before --redis-cluster and --target have neither field.
    'redis-cluster': scale.redisCluster === undefined ? 'none' : scale.redisCluster === 'local' ? 'local' : 'given',
    target: scale.target === undefined ? 'servers started by authbench' : 'a server given by --target',
    // Results from before --jwt-impl verified with jose, without a cache.
    'jwt-impl': (config as Partial<RunConfig>).jwtImpls?.join(',') ?? 'jose',
    'jwt-cache': String((config as Partial<RunConfig>).jwtCache ?? 0),
  };
  const argv = config.serverArgs;
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const name = (argv[i] as string).replace(/^--/, '');
    if (name !== 'users') out[name] = argv[i + 1] as string;
  }
  return out;
}

export interface ComparabilityOptions {
  /** Load options whose difference is accepted on purpose (e.g. `redis-latency` to test the gate itself). */
  readonly allowDifferent?: readonly string[];
  /** The current run may hold a subset of the baseline's cells (a re-measurement of some cells). */
  readonly subset?: boolean;
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const cellKeys = (r: RunResult): string[] => sorted(r.cells.filter((c) => c.kind !== 'ceiling').map(cellKey));

/**
 * Why two results cannot be compared (empty when they can): schema, scenario × strategy cells, load options,
 * environment class. Each reason names both values. Allowed option differences are returned apart, so that
 * the report can show them.
 */
export function comparability(baseline: RunResult, current: RunResult, options: ComparabilityOptions = {}): { problems: string[]; allowed: string[] } {
  const problems: string[] = [];
  const allowed: string[] = [];
  if (baseline.schemaVersion !== current.schemaVersion) problems.push(`schemaVersion: baseline ${baseline.schemaVersion}, current ${current.schemaVersion}`);
  const b = cellKeys(baseline);
  const c = cellKeys(current);
  const missing = b.filter((k) => !c.includes(k));
  const extra = c.filter((k) => !b.includes(k));
  if (extra.length > 0) problems.push(`cells only in the current run: ${extra.join(', ')}`);
  if (missing.length > 0 && options.subset !== true) problems.push(`cells only in the baseline: ${missing.join(', ')}`);
  const bo: Record<string, string> = { ...loadOptions(baseline.config), generator: generatorOf(baseline) };
  const co: Record<string, string> = { ...loadOptions(current.config), generator: generatorOf(current) };
  for (const key of sorted([...Object.keys(bo), ...Object.keys(co)])) {
    if (bo[key] === co[key]) continue;
    const text = `${key}: baseline ${bo[key] ?? '(unset)'}, current ${co[key] ?? '(unset)'}`;
    if (options.allowDifferent?.includes(key) === true) allowed.push(text);
    else problems.push(`load option ${text}`);
  }
  const be = environmentClass(baseline.environment);
  const ce = environmentClass(current.environment);
  if (describeClass(be) !== describeClass(ce)) problems.push(`environment class: baseline ${describeClass(be)}, current ${describeClass(ce)}`);
  return { problems, allowed };
}
