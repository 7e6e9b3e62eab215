import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../lib/errors.js';
import { writeResult, writeText } from '../result/write.js';
import type { Progress } from '../run/progress.js';
import type { RunResult } from '../result/schema.js';
import { resolveRunConfig, type RunFlags } from '../run/config.js';
import { runBench } from '../run/runner.js';
import { readResult } from '../result/read.js';
import { bencherMetricFormat, githubActionBenchmark } from './render-export.js';
import { renderComparisonMarkdown } from './render-markdown.js';
import { fmtChange, fmtInterval } from './format.js';
import { cellKey } from '../result/schema.js';
import { compareRuns, exitCodeOf, type Comparison, type CompareOptions, type MetricComparison } from './verdict.js';

/**
 * The fixed run of `npm run bench:ci` and `authbench baseline`: about 75 s on 2 cores. 10 connections, not
 * 50: with 50 a closed loop hides a slower Redis round trip behind concurrency (the server stays CPU-bound),
 * with 10 each request's own latency shows in the throughput. No warm-up: autocannon ends a phase only on
 * its one-second tick, so any warm-up costs a whole second per cell; each server process warms up on its
 * ceiling cell, and the baseline is measured the same way. Five repetitions feed the bootstrap.
 */
// The gate judges the throughput cells: no equal-load cells (`rate: 'none'`), which would double the run.
export const CI_RUN_FLAGS: Readonly<RunFlags> = { scenarios: 'validate,login,session', duration: '1', warmup: '0', repeat: '5', connections: '10', rate: 'none' };

export interface GateIO {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  readonly serverEnv: NodeJS.ProcessEnv;
  /** Where to append the Markdown summary too ($GITHUB_STEP_SUMMARY), if anywhere. */
  readonly stepSummaryPath?: string | undefined;
  readonly log: (line: string) => void;
}

/** Runs the CI settings (plus `extra` flags) into DIR/result.json. */
export async function runCiBench(extra: RunFlags, outDir: string, io: GateIO): Promise<RunResult> {
  const config = resolveRunConfig({ ...CI_RUN_FLAGS, ...extra, out: outDir }, {});
  return runBench(config, { signal: io.signal, progress: io.progress, serverEnv: io.serverEnv, checkpoint: (r) => writeResult(r, outDir, undefined).then(() => undefined) });
}

export interface GateOptions extends CompareOptions {
  readonly baselinePath: string;
  readonly outDir: string;
  /** Re-measure the cells that regressed, once, before the verdict (default true). */
  readonly confirm?: boolean;
  /** Run flags on top of CI_RUN_FLAGS (e.g. redisLatency, to show the gate catching a slower Redis). */
  readonly runFlags?: RunFlags;
}

export interface GateOutcome {
  readonly first: Comparison;
  readonly confirmation?: Comparison;
  /** The verdicts that count: the first comparison, with re-measured rows replaced by their re-measurement. */
  readonly final: Comparison;
  readonly remeasured: readonly string[];
  /** 0, 1, 2 as `compare`. */
  readonly exitCode: 0 | 1 | 2;
  readonly files: readonly string[];
}

const keyOf = (r: MetricComparison): string => `${cellKey(r)}|${r.metric}`;

/** The first comparison with each re-measured row replaced by the re-measurement's verdict, noting both. */
export function mergeConfirmation(first: Comparison, confirmation: Comparison, secondLabel = 're-measurement'): Comparison {
  const again = new Map(confirmation.rows.map((r) => [keyOf(r), r]));
  const rows = first.rows.map((r): MetricComparison => {
    if (r.verdict !== 'regressed') return r;
    const second = again.get(keyOf(r));
    if (!confirmation.comparable || second === undefined) {
      return { ...r, note: `re-measurement could not be compared (${confirmation.problems.join('; ') || 'cell missing'}); the first verdict stands` };
    }
    const note = `re-measured: first run ${fmtChange(r)} (${fmtInterval(r)}), regressed; ${secondLabel} ${fmtChange(second)} (${fmtInterval(second)}), ${second.verdict}`;
    return { ...second, note: second.note === undefined ? note : `${note}; ${second.note}` };
  });
  return { ...first, rows };
}

/** The reports of a gate (either mode): summary.md, comparison.json, the two exports; the summary also to $GITHUB_STEP_SUMMARY. */
export async function writeReports(outcome: Omit<GateOutcome, 'files' | 'exitCode'>, outDir: string, io: GateIO): Promise<string[]> {
  const markdown = renderComparisonMarkdown(outcome.final);
  const action = githubActionBenchmark(outcome.final);
  const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;
  const files = [
    await writeText(outDir, 'summary.md', markdown),
    await writeText(outDir, 'comparison.json', json({ final: outcome.final, first: outcome.first, confirmation: outcome.confirmation ?? null, remeasured: outcome.remeasured })),
    await writeText(outDir, 'github-action-benchmark-bigger.json', json(action.biggerIsBetter)),
    await writeText(outDir, 'github-action-benchmark-smaller.json', json(action.smallerIsBetter)),
    await writeText(outDir, 'bencher.json', json(bencherMetricFormat(outcome.final))),
  ];
  if (io.stepSummaryPath !== undefined && io.stepSummaryPath !== '') await appendFile(io.stepSummaryPath, `${markdown}\n`);
  return files;
}

/**
 * `npm run bench:ci`: the fixed short run, compared with the committed baseline; cells that regressed are
 * re-measured once (their scenarios × strategies, with the ceiling) and only a regression seen twice counts.
 * Writes the reports to outDir. A missing or unreadable baseline throws InvalidOptionError before anything runs;
 * Ctrl-C (the signal) stops the run and nothing is judged.
 */
export async function runGate(options: GateOptions, io: GateIO): Promise<GateOutcome | 'interrupted'> {
  const baseline = await readResult(options.baselinePath, { role: 'baseline', forComparison: true }).catch((err: unknown) => {
    throw new InvalidOptionError(`${err instanceof Error ? err.message : String(err)} (make one with \`npx authbench baseline\`)`);
  });
  // A re-measurement left by an earlier gate would read as this one's.
  await rm(join(options.outDir, 'confirm'), { recursive: true, force: true });
  const current = await runCiBench(options.runFlags ?? {}, join(options.outDir, 'run'), io);
  if (current.status !== 'complete') return 'interrupted';
  const first = compareRuns(baseline, current, options);
  const regressed = first.rows.filter((r) => r.verdict === 'regressed');
  let outcome: Omit<GateOutcome, 'files' | 'exitCode'> = { first, final: first, remeasured: [] };
  if (regressed.length > 0 && options.confirm !== false) {
    const remeasured = [...new Set(regressed.map(cellKey))];
    io.log(`re-measuring what regressed: ${remeasured.join(', ')}`);
    const scenarios = [...new Set(regressed.map((r) => r.scenario))].join(',');
    const strategies = [...new Set(regressed.map((r) => r.strategy))].join(',');
    const again = await runCiBench({ ...options.runFlags, scenarios, strategies }, join(options.outDir, 'confirm'), io);
    if (again.status !== 'complete') return 'interrupted';
    const confirmation = compareRuns(baseline, again, { ...options, subset: true });
    outcome = { first, confirmation, final: mergeConfirmation(first, confirmation), remeasured };
  }
  const files = await writeReports(outcome, options.outDir, io);
  return { ...outcome, exitCode: exitCodeOf(outcome.final), files };
}
