import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { parseMs, parseRates, resolveRunConfig, type OfferedRate, type RunFlags } from '../bench/run/config.js';
import { InvalidOptionError } from '../lib/errors.js';
import { JWT_ALGS, type JwtAlg } from '../servers/config.js';
import { designNames } from '../servers/designs/index.js';
import { interruptOnSignals } from './interrupt.js';
import { addServerOptions } from './server-options.js';

interface SweepFlags extends RunFlags {
  redisLatency?: string;
}

function latencies(value: string | undefined): number[] {
  const list = (value ?? '0,0.25,0.5,1,2').split(',').map((v) => parseMs('--redis-latency', v.trim()));
  if (new Set(list).size !== list.length) throw new InvalidOptionError('--redis-latency: each value once');
  return list.sort((a, b) => a - b);
}

/** One rate for the whole sweep: a share (of the slowest design's closed-loop req/s at the highest added latency) or req/s. */
function sweepRate(value: string | undefined): OfferedRate {
  const rates = parseRates(value ?? '50%');
  const [rate] = rates;
  if (rates.length !== 1 || rate === undefined) throw new InvalidOptionError(`--rate: a sweep takes one rate (a share such as 50% or req/s such as 2000), got ${JSON.stringify(value)}`);
  return rate;
}

function algs(value: string | undefined): JwtAlg[] {
  const list = (value ?? 'HS256').split(',').map((v) => v.trim());
  for (const a of list) if (!(JWT_ALGS as readonly string[]).includes(a)) throw new InvalidOptionError(`--jwt-alg: unknown ${JSON.stringify(a)}; valid values: ${JWT_ALGS.join(', ')}`);
  return list as JwtAlg[];
}

/** `authbench sweep`: validate and session at several added Redis latencies, and where jwt overtakes. */
export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('closed-loop throughput and p99 at a fixed open-loop rate of validate and session against the Redis round trip measured under load, and where jwt draws level with each Redis design')
    .addOption(new Option('--redis-latency <list>', 'added Redis reply delays, e.g. 0,0.25,0.5,1,2 (ms)').default('0,0.25,0.5,1,2'))
    .addOption(new Option('--strategies <list>', `comma-separated: ${designNames().join(',')}`))
    .addOption(new Option('--duration <sec>', 'measured seconds per cell (default 2; --quick 1)'))
    .addOption(new Option('--warmup <sec>', 'warm-up seconds per cell (default 1; --quick 0.5)'))
    .addOption(new Option('--connections <n>', 'concurrent connections of the closed-loop cells, most connections of the open-loop ones (default 50; --quick 20)'))
    .addOption(new Option('--repeat <n>', 'repetitions per point (default 3; --quick 1)'))
    .addOption(new Option('--rate <rate>', "the fixed open-loop rate of every point and design: a share of the slowest design's closed-loop req/s at the highest added latency (default 50%), or req/s (e.g. 2000)"))
    .option('--quick', 'smoke: 1 s cells, 1 repetition')
    .addOption(new Option('--out <dir>', 'output directory (default results/sweep-<timestamp>/)'));
  // --jwt-alg takes a list here; the other server options pass through to every run.
  addServerOptions(cmd);
  const alg = cmd.options.find((o) => o.long === '--jwt-alg');
  if (alg !== undefined) {
    // Both: choices() installed a parser that checks one value against them, which a list fails (and, with
    // argChoices cleared, crashed on every --jwt-alg). algs() checks each value of the list instead.
    alg.argChoices = undefined;
    alg.parseArg = undefined;
    alg.description = `JWT algorithms, comma-separated (${JWT_ALGS.join(', ')}): one sweep each`;
  }
  cmd.action(async (flags: SweepFlags) => {
    const lats = latencies(flags.redisLatency);
    const jwtAlgs = algs(flags.jwtAlg);
    const rate = sweepRate(flags.rate);
    // A crossover compares designs, one server each: one library per sweep (run it again for another).
    if (flags.jwtImpl?.includes(',') === true) throw new InvalidOptionError(`--jwt-impl: a sweep takes one library (run one sweep per library), got ${JSON.stringify(flags.jwtImpl)}`);
    const outDir = flags.out ?? join('results', `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    // The sweep's own defaults (3 repetitions, 2 s cells) unless --quick or given.
    const sweepDefaults = flags.quick === true ? {} : { duration: '2', warmup: '1', repeat: '3' };
    const runFlags: RunFlags = { ...sweepDefaults, ...flags, rate: undefined, redisLatency: undefined, jwtAlg: undefined };
    // Validate every run option once, before anything starts (exit 2 on a bad value).
    resolveRunConfig({ ...runFlags, jwtAlg: jwtAlgs[0] }, process.env);
    const secret = flags.jwtSecret ?? process.env['AUTHBENCH_JWT_SECRET'] ?? '';
    // Imported once the flags are known, not at the CLI's start (every process of the CLI, each server included, paid for it).
    const [{ createProgress }, { readResult }, { buildReport, writeReport }, { renderSweep }, { runSweep }] = await Promise.all([
      import('../bench/run/progress.js'),
      import('../bench/result/read.js'),
      import('../bench/report/report.js'),
      import('../bench/sweep/render.js'),
      import('../bench/sweep/run-sweep.js'),
    ]);
    const sweep = await runSweep(runFlags, lats, jwtAlgs, rate, outDir, {
      signal: interruptOnSignals('the sweep'),
      progress: createProgress(),
      serverEnv: { AUTHBENCH_JWT_SECRET: secret, REDIS_URL: '' },
    });
    process.stdout.write(`${renderSweep(sweep)}\n`);
    // The report of all the points, with the throughput and latency against the added round trip.
    const results = await Promise.all(sweep.points.map((p) => readResult(p.resultFile)));
    if (results.length > 0) await writeReport(await buildReport(results, { sweep }), outDir);
    process.stderr.write(`results: ${join(outDir, 'sweep.json')}\n`);
    process.exitCode = sweep.status === 'interrupted' ? 130 : sweep.points.some((p) => p.cells.some((c) => c.status === 'errored')) ? 1 : 0;
  });
}
