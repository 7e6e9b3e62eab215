import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../lib/errors.js';
import { anyErrored } from '../measure/aggregate.js';
import type { RunResult } from '../result/schema.js';
import { writeText } from '../result/write.js';
import { resolveRunConfig, type RunFlags } from '../run/config.js';
import { fmtChange, fmtInterval } from './format.js';
import { CI_RUN_FLAGS, runCiBench, type GateIO } from './gate.js';
import { cellKey } from '../result/schema.js';
import { compareRuns, type CompareOptions, type Comparison, type MetricComparison } from './verdict.js';

/**
 * `authbench sensitivity`: how large a slower Redis looks to the gate on this machine, now. A benchmark, not a
 * test: the figure depends on how busy the machine is (on a 2-core box shared with other jobs the same +1 ms took
 * the Redis designs' validate from −69% to +15%), so it is reported, never judged. The gate's statistics are checked against
 * known shifts, deterministically, in sensitivity.test.ts.
 */

/** What `--redis-latency` defaults to: about what a Redis on another host in the same zone adds. */
export const DEFAULT_SENSITIVITY_LATENCY = '1ms';

/** The directories of the two runs under --out. */
export const SENSITIVITY_RUN_DIRS = { baseline: 'baseline', slower: 'redis-latency' } as const;

export interface SensitivityOptions extends CompareOptions {
  readonly outDir: string;
  /** Delay added to every Redis reply in the second run, as `run --redis-latency` takes it (e.g. `1ms`). */
  readonly redisLatency: string;
  /** Server options for both runs, on top of CI_RUN_FLAGS (as `authbench ci` passes them). */
  readonly runFlags?: RunFlags;
}

export interface SensitivityOutcome {
  readonly baseline: RunResult;
  readonly slower: RunResult;
  readonly comparison: Comparison;
  /** A cell of either run failed (its rows are then "not comparable", with the reason). */
  readonly errored: boolean;
  readonly files: readonly string[];
}

/**
 * Resolves both runs' configurations before anything starts, so that a bad flag (exit 2) does not surface
 * only after the first run. Throws InvalidOptionError naming the flag.
 */
export function checkSensitivityOptions(options: Pick<SensitivityOptions, 'redisLatency' | 'runFlags'>): void {
  resolveRunConfig({ ...CI_RUN_FLAGS, ...options.runFlags }, {});
  const slower = resolveRunConfig({ ...CI_RUN_FLAGS, ...options.runFlags, redisLatency: options.redisLatency }, {});
  if (!(slower.redisLatencyMs > 0)) throw new InvalidOptionError(`--redis-latency must be above 0 for a sensitivity run, got ${JSON.stringify(options.redisLatency)}`);
}

/**
 * Two runs with the bench:ci settings, back to back, the second with every Redis reply delayed by
 * `redisLatency` (through the proxy), compared as the gate compares (the latency allowed to differ). Writes
 * DIR/baseline/result.json, DIR/redis-latency/result.json and DIR/comparison.json. Ctrl-C (the signal)
 * stops it and nothing is compared.
 */
export async function runSensitivity(options: SensitivityOptions, io: GateIO): Promise<SensitivityOutcome | 'interrupted'> {
  checkSensitivityOptions(options);
  // A comparison left by an earlier run would read as this one's.
  await rm(join(options.outDir, 'comparison.json'), { force: true });
  const flags = options.runFlags ?? {};
  io.log(`sensitivity: run 1 of 2, the bench:ci settings`);
  const baseline = await runCiBench(flags, join(options.outDir, SENSITIVITY_RUN_DIRS.baseline), io);
  if (baseline.status !== 'complete') return 'interrupted';
  io.log(`sensitivity: run 2 of 2, the same with --redis-latency ${options.redisLatency}`);
  const slower = await runCiBench({ ...flags, redisLatency: options.redisLatency }, join(options.outDir, SENSITIVITY_RUN_DIRS.slower), io);
  if (slower.status !== 'complete') return 'interrupted';
  const allowDifferent = [...new Set([...(options.allowDifferent ?? []), 'redis-latency'])];
  const comparison = compareRuns(baseline, slower, { ...options, allowDifferent });
  const files = [
    join(options.outDir, SENSITIVITY_RUN_DIRS.baseline, 'result.json'),
    join(options.outDir, SENSITIVITY_RUN_DIRS.slower, 'result.json'),
    await writeText(options.outDir, 'comparison.json', `${JSON.stringify(comparison, null, 2)}\n`),
  ];
  return { baseline, slower, comparison, errored: anyErrored(baseline.cells) || anyErrored(slower.cells), files };
}

function verdictWords(row: MetricComparison): string {
  switch (row.verdict) {
    case 'regressed':
      return 'flagged';
    case 'improved':
      return 'not flagged (improved)';
    case 'ok':
      return 'not flagged';
    case 'not comparable':
      return `not comparable${row.note === undefined ? '' : ` (${row.note})`}`;
  }
}

/**
 * One line per cell, on its throughput (req/s ÷ ceiling): "validate × redis-token: −52.4% (interval −61.4% …
 * −35.0%), flagged". Pure. A comparison that could not be made gives one line saying why.
 */
export function sensitivityLines(c: Comparison): string[] {
  if (!c.comparable) return [`not comparable: ${c.problems.join('; ')}`];
  return c.rows
    .filter((r) => r.metric === 'throughput')
    .map((r) => `${cellKey(r)}: ${r.change === undefined ? '' : `${fmtChange(r)} (interval ${fmtInterval(r)}), `}${verdictWords(r)}`);
}
