import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { anyErrored } from '../bench/measure/aggregate.js';
import { ceilingCellsOf } from '../bench/result/schema.js';
import { CI_RUN_FLAGS, runCiBench, runGate, type GateIO } from '../bench/gate/gate.js';
import { renderComparisonTable } from '../bench/gate/render-table.js';
import { writeText } from '../bench/result/write.js';
import { createProgress } from '../bench/run/progress.js';
import { renderTables } from '../bench/render/tables.js';
import { addGateOptions, gateOptions, type GateFlags } from './compare.js';
import { EXIT_INTERRUPTED } from './run.js';
import { addServerOptions } from './server-options.js';
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
  out: string;
  confirm: boolean;
  redisLatency?: string;
}


async function ci(flags: CiFlags): Promise<number> {
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
    const uneven = ceilingCellsOf(result).filter((c) => c.summary !== undefined && c.summary.requestsPerSec.max > 1.5 * c.summary.requestsPerSec.min);
    for (const c of uneven) {
      const r = c.summary?.requestsPerSec;
      io.log(`the ${c.strategy} ceiling ranged ${Math.round(r?.min ?? 0)}–${Math.round(r?.max ?? 0)} req/s: the machine was busy. A busy machine lowers the ceiling more than the cells, so later quiet runs would look slower than this baseline.`);
    }
    if (uneven.length > 0 && force !== true) {
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
        .description(`the CI regression gate: a fixed short run (${CI_SETTINGS}) compared with the baseline; regressed cells are re-measured once; exit 0 ok, 1 regressed, 2 not comparable`),
    )
      .addOption(new Option('--baseline <file>', 'the baseline result').default(DEFAULT_BASELINE))
      .addOption(new Option('--out <dir>', 'reports: summary.md, comparison.json, github-action-benchmark-*.json, bencher.json; the runs in run/ and confirm/').default('results/ci'))
      .option('--no-confirm', 'do not re-measure regressed cells')
      .addOption(new Option('--redis-latency <ms>', 'delay every Redis reply (to show the gate catching a slower Redis; needs --allow-difference redis-latency)')),
  ).action(async (flags: CiFlags) => {
    process.exitCode = await ci(flags);
  });
  addServerOptions(
    program
      .command('baseline')
      .description(`refresh the CI baseline: a new run with the bench:ci settings (${CI_SETTINGS}), written with its method`)
      .addOption(new Option('--out <file>', 'where to write it').default(DEFAULT_BASELINE))
      .option('--force', 'write it even if the ceiling varied by more than half between repetitions (a busy machine)'),
  ).action(async (flags: BaselineFlags) => {
    process.exitCode = await baseline(flags);
  });
}
