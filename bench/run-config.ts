import { InvalidOptionError } from '../lib/errors.js';
import { LOAD_SCENARIOS, SCENARIO_NAMES, isScenarioName, type ScenarioName } from '../scenarios/index.js';
import { resolveServerConfig } from '../servers/config.js';
import { STRATEGY_NAMES, isStrategyName, type StrategyName } from '../servers/strategies/index.js';
import { rawServerOptions, serverArgv, type ServerFlagValues } from '../cli/server-options.js';

/** Resolved options of `authbench run`. Recorded whole in every result file. */
export interface RunConfig {
  readonly strategies: readonly StrategyName[];
  /** The load scenarios asked for; the ceiling is measured in addition, always. */
  readonly scenarios: readonly ScenarioName[];
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: number;
  /** Requests per second (open loop); undefined = closed loop. */
  readonly rate: number | undefined;
  readonly repeat: number;
  readonly quick: boolean;
  readonly timeoutSec: number;
  readonly pools: { readonly validate: number; readonly logout: number; readonly revocation: number };
  readonly outDir: string;
  readonly jsonFile: string | undefined;
  readonly redisUrl: string | undefined;
  /** Seeded users on every server (the --users server option). */
  readonly users: number;
  /** Server options passed through to every `authbench serve`, as argv. */
  readonly serverArgs: readonly string[];
}

/** The defaults of a full run: about 4-5 minutes on a 2-core machine. */
export const runDefaults = {
  durationSec: 3,
  warmupSec: 1,
  connections: 50,
  repeat: 3,
  timeoutSec: 10,
  pools: { validate: 1000, logout: 15000, revocation: 1000 },
} as const;

/** `--quick`: a smoke run of at most a minute in all. Explicit flags still win. */
export const quickDefaults = {
  durationSec: 1,
  warmupSec: 0.5,
  connections: 20,
  repeat: 1,
  timeoutSec: 5,
  pools: { validate: 200, logout: 3000, revocation: 200 },
} as const;

export interface RunFlags extends ServerFlagValues {
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
}

function list<T extends string>(flag: string, value: string | undefined, valid: readonly T[], isValid: (s: string) => s is T, fallback: readonly T[]): T[] {
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
  const server = resolveServerConfig(rawServerOptions(flags, env));
  const strategies = list('--strategies', flags.strategies, STRATEGY_NAMES, isStrategyName, STRATEGY_NAMES);
  const scenarios = list('--scenarios', flags.scenarios, SCENARIO_NAMES, isScenarioName, LOAD_SCENARIOS).filter((s) => s !== 'ceiling');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return Object.freeze({
    strategies,
    scenarios,
    durationSec: num('--duration', flags.duration, base.durationSec, (n) => n > 0 && n <= 3600, 'a number of seconds > 0 and <= 3600'),
    warmupSec: num('--warmup', flags.warmup, base.warmupSec, (n) => n >= 0 && n <= 600, 'a number of seconds >= 0 and <= 600'),
    connections: num('--connections', flags.connections, base.connections, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'an integer from 1 to 10000'),
    rate: flags.rate === undefined ? undefined : num('--rate', flags.rate, 0, (n) => Number.isInteger(n) && n >= 1, 'an integer number of requests per second >= 1'),
    repeat: num('--repeat', flags.repeat, base.repeat, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100'),
    quick: flags.quick === true,
    timeoutSec: base.timeoutSec,
    pools: base.pools,
    outDir: flags.out ?? `results/${stamp}`,
    jsonFile: flags.json,
    redisUrl: server.redisUrl,
    users: server.users,
    serverArgs: serverArgv(flags),
  });
}
