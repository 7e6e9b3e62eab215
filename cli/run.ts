import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_SCENARIOS, quickDefaults, resolveRunConfig, runDefaults, type RunFlags } from '../bench/run/config.js';
import { DEFAULT_FAULTS, FAULT_NAMES } from '../bench/faults/injector.js';
import { CEILING_SCENARIO, SCENARIO_NAMES } from '../scenarios/index.js';
import { designNames } from '../servers/designs/index.js';
import { addServerOptions } from './server-options.js';
import { interruptOnSignals } from './interrupt.js';

/** Exit codes of `run`: 0 complete, 1 a cell failed, 2 bad arguments, 130 interrupted. */
export const EXIT_INTERRUPTED = 130;

async function run(flags: RunFlags): Promise<number> {
  const config = resolveRunConfig(flags, process.env);
  // The run's machinery (load generators, histograms, tables, the report) is imported once the flags are known:
  // every process of the CLI would pay for it at start otherwise, and each server a run or a test starts is one.
  const [{ anyErrored }, { writeResult, writeText }, { createProgress }, { labelledPath }, { renderTables }, { buildReport, writeReport }, { renderVerdictText }, { runBench }] = await Promise.all([
    import('../bench/measure/aggregate.js'),
    import('../bench/result/write.js'),
    import('../bench/run/progress.js'),
    import('../bench/render/fit.js'),
    import('../bench/render/tables.js'),
    import('../bench/report/report.js'),
    import('../bench/report/verdict-text.js'),
    import('../bench/run/runner.js'),
  ]);
  const signal = interruptOnSignals('the load', EXIT_INTERRUPTED);
  const secret = flags.jwtSecret ?? process.env['AUTHBENCH_JWT_SECRET'] ?? '';
  let path = '';
  const result = await runBench(config, {
    signal,
    progress: createProgress(),
    // REDIS_PASSWORD: the password of a --redis-cluster given by address (the harness and its servers need it).
    serverEnv: { AUTHBENCH_JWT_SECRET: secret, REDIS_URL: '', REDIS_PASSWORD: process.env['REDIS_PASSWORD'] ?? '' },
    checkpoint: async (r) => {
      path = await writeResult(r, config.outDir, config.jsonFile);
    },
  });
  const tables = `${renderTables(result)}\n\n${renderVerdictText(result)}`;
  await writeText(config.outDir, 'tables.txt', `${tables}\n`);
  const written = await writeReport(await buildReport([result]), config.outDir);
  if (config.jsonFile === '-') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${tables}\n`);
  const report = written.find((p) => p.endsWith('report.html')) ?? join(config.outDir, 'report.html');
  process.stderr.write(`${labelledPath('results:', path)}\n${labelledPath('report: ', report)}\n`);
  if (result.status === 'interrupted') return EXIT_INTERRUPTED;
  return anyErrored(result.cells) ? 1 : 0;
}

/** `authbench run`: every scenario × strategy cell, side by side. */
export function registerRun(program: Command): void {
  addServerOptions(
    program
      .command('run')
      .description('start Redis and each server, drive them with autocannon through the scenarios, print a comparison')
      .addOption(new Option('--strategies <list>', `comma-separated: ${designNames().join(',')}`))
      .addOption(new Option('--scenarios <list>', `comma-separated: ${SCENARIO_NAMES.filter((s) => s !== CEILING_SCENARIO).join(',')}, or all (default: ${DEFAULT_SCENARIOS.join(',')}, what the verdict reads; the ceiling runs first with them)`))
      .addOption(new Option('--duration <sec>', `measured seconds per cell (default ${runDefaults.durationSec})`))
      .addOption(new Option('--warmup <sec>', `warm-up seconds per cell, not counted (default ${runDefaults.warmupSec})`))
      .addOption(new Option('--connections <n>', `concurrent connections (default ${runDefaults.connections})`))
      .addOption(new Option('--rate <list>', `offered rates of the equal-load cells (validate, open loop, paced): shares of the slowest design's closed-loop validate req/s (25%) and/or req/s (2000), or none (default ${runDefaults.rates}; --quick ${quickDefaults.rates})`))
      .addOption(new Option('--repeat <n>', `repetitions per cell (default ${runDefaults.repeat})`))
      .option('--quick', 'a smoke run of at most a minute')
      .addOption(new Option('--out <dir>', 'output directory (default results/<timestamp>/)'))
      .addOption(new Option('--json <file>', 'also write the JSON result to FILE (- = stdout, instead of the tables)'))
      .addOption(new Option('--faults <list>', `outage scenario: comma-separated faults: ${FAULT_NAMES.join(',')} (default ${DEFAULT_FAULTS.join(',')})`))
      .addOption(new Option('--instances <n>', 'propagation scenario: server processes per design, sharing key and Redis (default 2)'))
      .addOption(new Option('--phases <b,d,a>', 'outage scenario: seconds before, during and after the fault (default 5,10,10)'))
      .addOption(new Option('--fault-latency <ms>', 'outage scenario: reply delay of the latency fault (default 50ms)'))
      .addOption(new Option('--redis-persistence <mode>', 'none | aof: persistence of the Redis authbench starts for outage cells (default none)'))
      .addOption(new Option('--redis-latency <ms>', 'add this delay to every Redis reply for the whole run (a proxy in front of Redis), e.g. 1ms'))
      .addOption(new Option('--workers <list>', 'worker processes per server (serve --workers), each count measured in turn, e.g. 1,2 (default 1)'))
      .addOption(new Option('--target <url>', 'measure a server already running there under the same contract (no server or Redis started); needs --strategies with the one design it runs')),
  ).action(async (flags: RunFlags) => {
    process.exitCode = await run(flags);
  });
}
