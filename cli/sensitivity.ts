import { Option, type Command } from 'commander';
import { CI_RUN_FLAGS } from '../bench/gate/gate.js';
import { renderComparisonTable } from '../bench/gate/render-table.js';
import { DEFAULT_SENSITIVITY_LATENCY, checkSensitivityOptions, runSensitivity, sensitivityLines } from '../bench/gate/sensitivity.js';
import { createProgress } from '../bench/run/progress.js';
import type { ServerFlagValues } from '../servers/options.js';
import { DEFAULT_LATENCY_THRESHOLD, DEFAULT_THRESHOLD, parsePercent } from './compare.js';
import { interruptOnSignals } from './interrupt.js';
import { EXIT_INTERRUPTED } from './run.js';
import { addServerOptions } from './server-options.js';

const CI_SETTINGS = Object.entries(CI_RUN_FLAGS).map(([k, v]) => `--${k} ${v}`).join(' ');

interface SensitivityFlags extends ServerFlagValues {
  redisLatency: string;
  out: string;
  threshold: string;
  latencyThreshold: string;
}

/** Exit codes: 0 it ran (whatever the verdicts), 1 a run had a failed cell, 2 bad arguments, 130 interrupted. */
async function sensitivity(flags: SensitivityFlags): Promise<number> {
  const { redisLatency, out, threshold, latencyThreshold, ...runFlags } = flags;
  const options = {
    threshold: parsePercent('--threshold', threshold),
    latencyThreshold: parsePercent('--latency-threshold', latencyThreshold),
    outDir: out,
    redisLatency,
    runFlags,
  };
  // Every flag is checked before the first run starts, not 75 s later when the second would.
  checkSensitivityOptions(options);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const outcome = await runSensitivity(options, {
    signal: interruptOnSignals('the sensitivity runs', EXIT_INTERRUPTED),
    progress: createProgress(),
    serverEnv: { AUTHBENCH_JWT_SECRET: process.env['AUTHBENCH_JWT_SECRET'] ?? '', REDIS_URL: '' },
    log,
  });
  if (outcome === 'interrupted') return EXIT_INTERRUPTED;
  process.stdout.write(`${renderComparisonTable(outcome.comparison)}\n\n`);
  process.stdout.write(`sensitivity to +${redisLatency} of Redis latency (bench:ci settings: ${CI_SETTINGS}; req/s ÷ ceiling, flagged = the gate would call it a regression):\n`);
  for (const line of sensitivityLines(outcome.comparison)) process.stdout.write(`  ${line}\n`);
  log(`sensitivity took ${Math.round((Date.now() - started) / 1000)} s; files: ${outcome.files.join(', ')}`);
  if (outcome.errored) log('a cell failed in one of the runs (see "not comparable" above): exit 1');
  return outcome.errored ? 1 : 0;
}

/** `authbench sensitivity` (a benchmark: it reports how large a slower Redis looks to the gate, and never fails on it). */
export function registerSensitivity(program: Command): void {
  addServerOptions(
    program
      .command('sensitivity')
      .description(
        `how the CI gate sees a slower Redis, measured now: two runs with the bench:ci settings (${CI_SETTINGS}), the second with --redis-latency, compared; reports each cell's change and whether it would be flagged; exit 0 whatever the verdicts, 1 if a cell failed`,
      )
      .addOption(new Option('--redis-latency <ms>', 'delay added to every Redis reply in the second run').default(DEFAULT_SENSITIVITY_LATENCY))
      .addOption(new Option('--out <dir>', 'the two runs (baseline/, redis-latency/) and comparison.json').default('results/sensitivity'))
      .addOption(new Option('--threshold <pct>', 'the gate\'s threshold for throughput').default(DEFAULT_THRESHOLD))
      .addOption(new Option('--latency-threshold <pct>', 'the gate\'s threshold for p99').default(DEFAULT_LATENCY_THRESHOLD)),
  ).action(async (flags: SensitivityFlags) => {
    process.exitCode = await sensitivity(flags);
  });
}
