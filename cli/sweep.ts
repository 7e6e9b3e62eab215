import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { createProgress } from '../bench/run/progress.js';
import { parseMs, resolveRunConfig, type RunFlags } from '../bench/run/config.js';
import { readResult } from '../bench/result/read.js';
import { buildReport, writeReport } from '../bench/report/report.js';
import { renderSweep } from '../bench/sweep/render.js';
import { runSweep } from '../bench/sweep/run-sweep.js';
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

function algs(value: string | undefined): JwtAlg[] {
  const list = (value ?? 'HS256').split(',').map((v) => v.trim());
  for (const a of list) if (!(JWT_ALGS as readonly string[]).includes(a)) throw new InvalidOptionError(`--jwt-alg: unknown ${JSON.stringify(a)}; valid values: ${JWT_ALGS.join(', ')}`);
  return list as JwtAlg[];
}

/** `authbench sweep`: validate and session at several added Redis latencies, and where jwt overtakes. */
export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('throughput and latency of validate and session against an added Redis round trip, and the crossover where jwt overtakes each Redis design')
    .addOption(new Option('--redis-latency <list>', 'added Redis reply delays, e.g. 0,0.25,0.5,1,2 (ms)').default('0,0.25,0.5,1,2'))
    .addOption(new Option('--strategies <list>', `comma-separated: ${designNames().join(',')}`))
    .addOption(new Option('--duration <sec>', 'measured seconds per cell (default 2)').default('2'))
    .addOption(new Option('--warmup <sec>', 'warm-up seconds per cell (default 1)').default('1'))
    .addOption(new Option('--connections <n>', 'concurrent connections (default 50)'))
    .addOption(new Option('--repeat <n>', 'repetitions per cell (default 1)').default('1'))
    .addOption(new Option('--rate <rps>', 'open loop at this rate; closed loop without it'))
    .option('--quick', 'smoke: 1 s cells')
    .addOption(new Option('--out <dir>', 'output directory (default results/sweep-<timestamp>/)'));
  // --jwt-alg takes a list here; the other server options pass through to every run.
  addServerOptions(cmd);
  const alg = cmd.options.find((o) => o.long === '--jwt-alg');
  if (alg !== undefined) {
    alg.argChoices = undefined;
    alg.description = `JWT algorithms, comma-separated (${JWT_ALGS.join(', ')}): one sweep each`;
  }
  cmd.action(async (flags: SweepFlags) => {
    const lats = latencies(flags.redisLatency);
    const jwtAlgs = algs(flags.jwtAlg);
    // A crossover compares designs, one server each: one library per sweep (run it again for another).
    if (flags.jwtImpl?.includes(',') === true) throw new InvalidOptionError(`--jwt-impl: a sweep takes one library (run one sweep per library), got ${JSON.stringify(flags.jwtImpl)}`);
    const outDir = flags.out ?? join('results', `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const runFlags: RunFlags = { ...flags, redisLatency: undefined, jwtAlg: undefined };
    // Validate every run option once, before anything starts (exit 2 on a bad value).
    resolveRunConfig({ ...runFlags, jwtAlg: jwtAlgs[0] }, process.env);
    const secret = flags.jwtSecret ?? process.env['AUTHBENCH_JWT_SECRET'] ?? '';
    const sweep = await runSweep(runFlags, lats, jwtAlgs, outDir, {
      signal: interruptOnSignals('the sweep'),
      progress: createProgress(),
      serverEnv: { AUTHBENCH_JWT_SECRET: secret, REDIS_URL: '' },
    });
    process.stdout.write(`${renderSweep(sweep)}\n`);
    // The report of all the points, with the throughput and latency against the added round trip.
    const results = await Promise.all(sweep.points.map((p) => readResult(p.resultFile)));
    if (results.length > 0) await writeReport(await buildReport(results), outDir);
    process.stderr.write(`results: ${join(outDir, 'sweep.json')}\n`);
    process.exitCode = sweep.status === 'interrupted' ? 130 : sweep.points.some((p) => p.cells.some((c) => c.status === 'errored')) ? 1 : 0;
  });
}
