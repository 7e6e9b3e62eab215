import { InvalidOptionError } from '../../lib/errors.js';

/** The defaults of `authbench reference`: 3 rounds × 3 servers × 2 routes × (3 s + 10 s), about 4 minutes. */
export const referenceDefaults = Object.freeze({
  rounds: 3,
  durationSec: 10,
  warmupSec: 3,
  connections: 50,
  threads: 2,
});

export interface ReferenceFlags {
  rounds?: string;
  duration?: string;
  warmup?: string;
  connections?: string;
  threads?: string;
  json?: string;
}

/** Resolved options of `authbench reference`. */
export interface ReferenceConfig {
  readonly rounds: number;
  readonly durationSec: number;
  /** wrk run before each measured one, not counted. 0 = none. */
  readonly warmupSec: number;
  readonly connections: number;
  readonly threads: number;
  readonly jsonFile: string | undefined;
}

function int(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidOptionError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Validates every flag before anything starts; throws InvalidOptionError (exit 2) naming the flag. */
export function resolveReferenceConfig(flags: ReferenceFlags): ReferenceConfig {
  const d = referenceDefaults;
  const connections = int('--connections', flags.connections, d.connections, 1, 10_000);
  const threads = int('--threads', flags.threads, d.threads, 1, 64);
  // wrk refuses fewer connections than threads (each thread needs one).
  if (threads > connections) throw new InvalidOptionError(`--threads (${threads}) must not exceed --connections (${connections})`);
  if (flags.json !== undefined && flags.json.trim() === '') throw new InvalidOptionError('--json must be a file name (or - for stdout)');
  return Object.freeze({
    rounds: int('--rounds', flags.rounds, d.rounds, 1, 50),
    durationSec: int('--duration', flags.duration, d.durationSec, 1, 3600),
    warmupSec: int('--warmup', flags.warmup, d.warmupSec, 0, 3600),
    connections,
    threads,
    jsonFile: flags.json,
  });
}
