import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { readResult } from '../bench/result/read.js';
import { renderComparisonMarkdown } from '../bench/gate/render-markdown.js';
import { renderComparisonTable } from '../bench/gate/render-table.js';
import { compareRuns, exitCodeOf } from '../bench/gate/verdict.js';
import { LOAD_OPTION_NAMES } from '../bench/gate/comparable.js';
import { InvalidOptionError } from '../lib/errors.js';
import { parsePercent } from './flags.js';

/** The default smallest change that counts, for throughput. */
export const DEFAULT_THRESHOLD = '10%';
/**
 * For p99: a closed-loop tail moves more between runs than throughput does (and baselines recorded before the
 * microsecond histograms hold whole milliseconds, where one step is 10–50% of a 2–10 ms p99). Issue 14 revisits it.
 */
export const DEFAULT_LATENCY_THRESHOLD = '25%';

export { parsePercent };

/** `--allow-difference a,b` → option names as on the command line, without dashes (load or server options). */
export function parseAllowed(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = value.split(',').map((s) => s.trim().replace(/^--/, '')).filter((s) => s !== '');
  for (const n of names) if (!/^[a-z][a-z0-9-]*$/.test(n)) throw new InvalidOptionError(`--allow-difference: ${JSON.stringify(n)} is not an option name (e.g. redis-latency, jwt-alg, connections)`);
  return names;
}

export interface GateFlags {
  threshold: string;
  latencyThreshold: string;
  allowDifference?: string;
}

/** The comparison options shared by `compare` and `ci`, validated. */
export function gateOptions(flags: GateFlags): { threshold: number; latencyThreshold: number; allowDifferent: string[] } {
  const threshold = parsePercent('--threshold', flags.threshold);
  const latencyThreshold = parsePercent('--latency-threshold', flags.latencyThreshold);
  return { threshold, latencyThreshold, allowDifferent: parseAllowed(flags.allowDifference) };
}

/** Adds --threshold, --latency-threshold and --allow-difference to a command. */
export function addGateOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--threshold <pct>', 'a cell regressed only when the whole interval of its change is beyond this').default(DEFAULT_THRESHOLD))
    .addOption(new Option('--latency-threshold <pct>', 'the same for p99 latency').default(DEFAULT_LATENCY_THRESHOLD))
    .addOption(new Option('--allow-difference <options>', `comma-separated options allowed to differ, on purpose (e.g. redis-latency, to check that the gate catches a slower Redis): ${LOAD_OPTION_NAMES.join(', ')} or a server option such as jwt-alg`));
}

interface CompareFlags extends GateFlags {
  json?: string;
  markdown?: string;
}

async function compare(baselinePath: string, currentPath: string, flags: CompareFlags): Promise<number> {
  const options = gateOptions(flags);
  const baseline = await readResult(baselinePath, { role: 'baseline', forComparison: true });
  const current = await readResult(currentPath, { role: 'current', forComparison: true });
  const comparison = compareRuns(baseline, current, options);
  process.stdout.write(`${renderComparisonTable(comparison)}\n`);
  if (flags.json !== undefined) await writeFile(flags.json, `${JSON.stringify(comparison, null, 2)}\n`);
  if (flags.markdown !== undefined) await writeFile(flags.markdown, renderComparisonMarkdown(comparison));
  const code = exitCodeOf(comparison);
  if (code === 2) process.stderr.write(`authbench compare: not comparable: ${comparison.comparable ? 'some cells could not be judged (see notes)' : comparison.problems.join('; ')}\n`);
  return code;
}

/** `authbench compare <baseline> <current>`: exit 0 nothing regressed, 1 a regression, 2 cannot compare. */
export function registerCompare(program: Command): void {
  addGateOptions(
    program
      .command('compare')
      .description('compare two run results cell by cell, on figures normalised by the same run\'s ceiling; exit 0 ok, 1 regressed, 2 not comparable')
      .argument('<baseline>', 'result.json of the baseline run')
      .argument('<current>', 'result.json of the run to judge'),
  )
    .addOption(new Option('--json <file>', 'also write the comparison as JSON'))
    .addOption(new Option('--markdown <file>', 'also write a Markdown summary'))
    .action(async (baselinePath: string, currentPath: string, flags: CompareFlags) => {
      process.exitCode = await compare(baselinePath, currentPath, flags);
    });
}
