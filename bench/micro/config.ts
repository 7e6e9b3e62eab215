import { InvalidOptionError } from '../../lib/errors.js';
import { resolveServerConfig } from '../../servers/config.js';
import type { JwtClaimsConfig } from '../../servers/jwt/codec.js';
import { redactUrl } from '../../lib/redact.js';
import type { MicroRecordedConfig } from './schema.js';
import { matchesFilter, microCatalogue } from './tasks.js';

/** The defaults of `authbench micro`: about 45 s in all on a 2-core machine. */
export const microDefaults = {
  /** Measured time per task. */
  timeMs: 500,
  /** Warm-up per task is half the measured time, capped at this. */
  maxWarmupMs: 250,
  /** tinybench's minimum of samples per task (its default), taken even past the time budget. */
  minSamples: 64,
  warmupSamples: 16,
  /** Calls per sample of the sub-microsecond CPU tasks. */
  batch: 100,
  /** Commands sent together by the in-flight Redis tasks. */
  inFlight: 100,
} as const;

export interface MicroFlags {
  time?: string;
  filter?: string;
  redisUrl?: string;
  json?: string;
}

/** Resolved options of `authbench micro`. */
export interface MicroConfig {
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly minSamples: number;
  readonly warmupSamples: number;
  readonly filter: string | undefined;
  /** The selected task names, in run order. */
  readonly tasks: readonly string[];
  readonly batch: number;
  readonly inFlight: number;
  /** Use this Redis; undefined: start one (only when a Redis task is selected). */
  readonly redisUrl: string | undefined;
  readonly jsonFile: string | undefined;
  /** The servers' default claims and verify options (issuer, audience, lifetime, clock tolerance). */
  readonly claims: Omit<JwtClaimsConfig, 'jwtAlg'>;
}

/** Validates every flag before anything starts; throws InvalidOptionError (exit 2) naming the flag. */
export function resolveMicroConfig(flags: MicroFlags, env: NodeJS.ProcessEnv): MicroConfig {
  const d = microDefaults;
  let timeMs: number = d.timeMs;
  if (flags.time !== undefined) {
    timeMs = Number(flags.time);
    if (flags.time.trim() === '' || !Number.isFinite(timeMs) || timeMs < 1 || timeMs > 60_000) {
      throw new InvalidOptionError(`--time must be a number of milliseconds from 1 to 60000, got ${JSON.stringify(flags.time)}`);
    }
  }
  if (flags.filter !== undefined && flags.filter.trim() === '') throw new InvalidOptionError('--filter must be a non-empty substring of a task name');
  if (flags.json !== undefined && flags.json.trim() === '') throw new InvalidOptionError('--json must be a file name (or - for stdout)');
  // The server's validation of --redis-url, and its default claims: the micro-benchmarks sign what a server signs.
  const server = resolveServerConfig({ redisUrl: flags.redisUrl ?? env['REDIS_URL'] });
  const catalogue = microCatalogue(d.inFlight);
  const tasks = catalogue.filter((t) => matchesFilter(t, flags.filter)).map((t) => t.name);
  if (tasks.length === 0) {
    const groups = [...new Set(catalogue.map((t) => t.group))].join(', ');
    throw new InvalidOptionError(`--filter: no task matches ${JSON.stringify(flags.filter)}; groups: ${groups}; names like "jwt/fast-jwt/HS256/verify", "HS256 verify raw", "GET one at a time"`);
  }
  return Object.freeze({
    timeMs,
    warmupMs: Math.min(d.maxWarmupMs, timeMs / 2),
    minSamples: d.minSamples,
    warmupSamples: d.warmupSamples,
    filter: flags.filter,
    tasks,
    batch: d.batch,
    inFlight: d.inFlight,
    redisUrl: server.redisUrl,
    jsonFile: flags.json,
    claims: {
      tokenTtlSec: server.tokenTtlSec,
      issuer: server.issuer,
      audience: server.audience,
      clockToleranceSec: server.clockToleranceSec,
    },
  });
}

/** The config as recorded with the results. */
export function recordedConfig(config: MicroConfig): MicroRecordedConfig {
  return {
    timeMs: config.timeMs,
    warmupMs: config.warmupMs,
    minSamples: config.minSamples,
    filter: config.filter ?? null,
    tasks: config.tasks,
    batch: config.batch,
    inFlight: config.inFlight,
    redis: config.redisUrl === undefined ? 'started by authbench' : redactUrl(config.redisUrl),
  };
}
