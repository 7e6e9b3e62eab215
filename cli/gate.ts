import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { anyErrored } from '../bench/measure/aggregate.js';
import { BUSY_OTHERS_CPU, quietCheck, quietLines } from '../bench/gate/quiet.js';
import { CI_RUN_FLAGS, runCiBench, runGate, type GateIO } from '../bench/gate/gate.js';
import { renderComparisonTable } from '../bench/gate/render-table.js';
import { writeText } from '../bench/result/write.js';
import { createProgress } from '../bench/run/progress.js';
import { renderTables } from '../bench/render/tables.js';
import { addGateOptions, gateOptions, type GateFlags } from './compare.js';
import { EXIT_INTERRUPTED } from './run.js';
import { addServerOptions } from './server-options.js';
import { numberFlag } from './flags.js';
import { InvalidOptionError } from '../lib/errors.js';
import { resolveRunConfig, type RunFlags } from '../bench/run/config.js';
import { DEFAULT_PAIRS, runRelativeGate } from '../bench/gate/relative-run.js';
import { MIN_PAIRS_AT_95 } from '../bench/gate/paired.js';
import { designNames } from '../servers/designs/index.js';
import type { ServerFlagValues } from '../servers/options.js';

export const DEFAULT_BASELINE = 'results/baseline.json';
const CI_SETTINGS = Object.entries(CI_RUN_FLAGS).map(([k, v]) => `--${k} ${v}`).join(' ');

/** Ctrl-C once: stop the load and the servers; twice: exit now (lib/children.ts kills what is left). */
function gateIO(): GateIO & { dispose(): void } {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(`\n${signal}: stopping the load, servers and Redis (again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    progress: createProgress(),
    serverEnv: { AUTHBENCH_JWT_SECRET: process.env['AUTHBENCH_JWT_SECRET'] ?? '', REDIS_URL: '' },
    stepSummaryPath: process.env['GITHUB_STEP_SUMMARY'],
    log: (line) => process.stderr.write(`${line}\n`),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

interface CiFlags extends GateFlags, ServerFlagValues {
  baseline: string;
  base?: string;
  pairs?: string;
  strategies?: string;
  out: string;
  confirm: boolean;
  redisLatency?: string;
}

/** `ci --base <ref>`: base and head built and run in interleaved pairs here, no baseline file. */
async function ciRelative(flags: CiFlags, base: string): Promise<number> {
  // The rest are run options (server options, --strategies, --redis-latency), passed to both builds' runs.
  const { pairs: pairsFlag, out, confirm, threshold, latencyThreshold, allowDifference, ...rest } = flags;
  const runFlags: RunFlags = { ...rest };
  delete (runFlags as Partial<CiFlags>).baseline;
  delete (runFlags as Partial<CiFlags>).base;
  if (allowDifference !== undefined) throw new InvalidOptionError('--allow-difference: not with --base (both builds run with the same options; it is for a baseline file recorded with other ones)');
  const options = gateOptions({ threshold, latencyThreshold });
  const pairs = numberFlag('--pairs', pairsFlag, DEFAULT_PAIRS, (n) => Number.isInteger(n) && n >= 2 && n <= 50, `a whole number from 2 to 50 (${MIN_PAIRS_AT_95} or more for a verdict at 95%)`);
  // Every run option is checked here, once, before the base is built (exit 2 on a bad value).
  resolveRunConfig({ ...CI_RUN_FLAGS, ...runFlags }, {});
  const started = Date.now();
  const io = gateIO();
  try {
    const outcome = await runRelativeGate({ ...options, baseRef: base, pairs, outDir: out, confirm, runFlags }, io);
    if (outcome === 'interrupted') return EXIT_INTERRUPTED;
    process.stdout.write(`${renderComparisonTable(outcome.final)}\n`);
    io.log(`bench:ci --base took ${Math.round((Date.now() - started) / 1000)} s${outcome.remeasured.length > 0 ? ` (ran the pairs again for ${outcome.remeasured.join(', ')})` : ''}; reports: ${outcome.files.join(', ')}`);
    return outcome.exitCode;
  } finally {
    io.dispose();
  }
}


async function ci(flags: CiFlags): Promise<number> {
  if (flags.base !== undefined) return ciRelative(flags, flags.base);
  if (flags.pairs !== undefined) throw new InvalidOptionError('--pairs: only with --base <ref> (the relative mode)');
  if (flags.strategies !== undefined) throw new InvalidOptionError('--strategies: only with --base <ref>; the baseline mode compares every design of the baseline');
  // Everything but the gate's own flags is a server option (commander filled in its default), passed through as `run` does.
  const { baseline: baselinePath, out, confirm, threshold, latencyThreshold, allowDifference, ...runFlags } = flags;
  const options = gateOptions({ threshold, latencyThreshold, allowDifference });
  const started = Date.now();
  const io = gateIO();
  try {
    const outcome = await runGate({ ...options, baselinePath, outDir: out, confirm, runFlags }, io);
    if (outcome === 'interrupted') return EXIT_INTERRUPTED;
    process.stdout.write(`${renderComparisonTable(outcome.final)}\n`);
    io.log(`bench:ci took ${Math.round((Date.now() - started) / 1000)} s${outcome.remeasured.length > 0 ? ` (re-measured ${outcome.remeasured.join(', ')})` : ''}; reports: ${outcome.files.join(', ')}`);
    return outcome.exitCode;
  } finally {
    io.dispose();
  }
}

interface BaselineFlags extends ServerFlagValues {
  out: string;
  force?: boolean;
}

async function baseline(flags: BaselineFlags): Promise<number> {
  const io = gateIO();
  try {
    const load = loadavg()[0] ?? 0;
    const cores = cpus().length;
    if (load > cores / 2) io.log(`warning: load average ${load.toFixed(2)} on ${cores} CPUs: a baseline taken on a busy machine is noisier; a quiet moment is better`);
    const { out, force, ...serverFlags } = flags;
    const result = await runCiBench(serverFlags, join('results', 'ci', 'baseline-run'), io);
    if (result.status !== 'complete') return EXIT_INTERRUPTED;
    process.stdout.write(`${renderTables(result)}\n`);
    if (anyErrored(result.cells)) {
      io.log(`baseline NOT written: some cells failed (see the tables); ${out} is unchanged`);
      return 1;
    }
    const check = quietCheck(result);
    for (const line of quietLines(check)) io.log(line);
    if (check.busy && force !== true) {
      io.log(`baseline NOT written: take it again at a quiet moment (or --force); ${out} is unchanged`);
      return 1;
    }
    const method = [...result.method, `CI regression-gate baseline, made by \`authbench baseline\` with the bench:ci settings (${CI_SETTINGS}); judged by \`authbench compare\` and \`npm run bench:ci\``];
    await writeText(dirname(out), basename(out), `${JSON.stringify({ ...result, method }, null, 2)}\n`);
    io.log(`baseline written: ${out} (commit it)`);
    return 0;
  } finally {
    io.dispose();
  }
}

/** `authbench ci` (npm run bench:ci) and `authbench baseline`. */
export function registerGate(program: Command): void {
  addServerOptions(
    addGateOptions(
      program
        .command('ci')
        .description(
          `the CI regression gate: a fixed short run (${CI_SETTINGS}); with --base <ref>, the base commit is built and base and head run in interleaved pairs on this machine (relative mode); otherwise compared with a baseline file, regressed cells re-measured once; exit 0 ok, 1 regressed, 2 not comparable`,
        ),
    )
      .addOption(new Option('--base <ref>', 'relative mode: build this git commit (branch, tag, hash) in a temporary worktree and run it against this checkout in pairs'))
      .addOption(new Option('--pairs <n>', `relative mode: base/head pairs, order AB BA AB … (default ${DEFAULT_PAIRS}, the fewest for a 95% signed-rank interval)`))
      .addOption(new Option('--strategies <list>', `relative mode: only these designs (comma-separated: ${designNames().join(',')})`))
      .addOption(new Option('--baseline <file>', 'baseline mode: the baseline result').default(DEFAULT_BASELINE))
      .addOption(new Option('--out <dir>', 'reports: summary.md, comparison.json, github-action-benchmark-*.json, bencher.json; the runs in run/ and confirm/').default('results/ci'))
      .option('--no-confirm', 'do not re-measure what regressed (relative mode: the whole order of pairs again)')
      .addOption(new Option('--redis-latency <ms>', 'delay every Redis reply (to show the gate catching a slower Redis; needs --allow-difference redis-latency)')),
  ).action(async (flags: CiFlags) => {
    process.exitCode = await ci(flags);
  });
  addServerOptions(
    program
      .command('baseline')
      .description(`refresh the CI baseline: a new run with the bench:ci settings (${CI_SETTINGS}), written with its method`)
      .addOption(new Option('--out <file>', 'where to write it').default(DEFAULT_BASELINE))
      .option('--force', `write it even on a busy machine (other processes used more than ${BUSY_OTHERS_CPU} of a core while it measured; without /proc: a ceiling varied by more than half)`),
  ).action(async (flags: BaselineFlags) => {
    process.exitCode = await baseline(flags);
  });
}
