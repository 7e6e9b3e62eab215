import { Option, type Command } from 'commander';
import { budgetFor, readBudgets, type Budget } from '../bench/artillery/budget.js';
import { writeArtilleryExport } from '../bench/artillery/export.js';
import { EXPORTABLE_SCENARIOS } from '../bench/artillery/script.js';
import { artilleryCommand } from '../bench/artillery/version.js';
import { runDefaults } from '../bench/run/config.js';
import { parseTarget } from '../bench/run/scale.js';
import { InvalidOptionError } from '../lib/errors.js';
import { LOAD_SCENARIOS, SCENARIO_NAMES, type LoadScenarioName } from '../scenarios/index.js';
import { designNames, designOf, isDesignName } from '../servers/designs/index.js';
import { numberFlag } from './flags.js';

/** The defaults of `export artillery`: a short run at a rate one machine can offer. */
export const exportDefaults = { rps: 1000, durationSec: 10, users: 1000 } as const;

interface ExportFlags {
  target?: string;
  design?: string;
  scenarios?: string;
  rate?: string;
  duration?: string;
  users?: string;
  budget?: string;
  p99?: string;
  errorRate?: string;
  out?: string;
}

/** `0.1%`, `1`, `0` → a fraction in [0, 1). */
function errorRateFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const n = m?.[1] === undefined ? NaN : Number(m[1]) / 100;
  if (!(n >= 0 && n < 1)) throw new InvalidOptionError(`--error-rate must be a percentage from 0 to below 100, like 0.1%, got ${JSON.stringify(value)}`);
  return n;
}

function scenarioList(value: string | undefined): LoadScenarioName[] {
  if (value === undefined) return [...LOAD_SCENARIOS];
  const items = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (items.length === 0) throw new InvalidOptionError(`--scenarios needs at least one of: ${EXPORTABLE_SCENARIOS.join(', ')}`);
  for (const item of items) {
    if ((EXPORTABLE_SCENARIOS as readonly string[]).includes(item)) continue;
    const why = (SCENARIO_NAMES as readonly string[]).includes(item) ? ` (${item} starts servers or faults of its own: an Artillery script of one target cannot carry it)` : '';
    throw new InvalidOptionError(`--scenarios: unknown ${JSON.stringify(item)}${why}; valid values: ${EXPORTABLE_SCENARIOS.join(', ')}`);
  }
  return items as LoadScenarioName[];
}

async function exportArtillery(flags: ExportFlags): Promise<void> {
  if (flags.target === undefined) throw new InvalidOptionError('--target is required: the base URL of the server the scripts will load, e.g. http://127.0.0.1:3000');
  const target = parseTarget(flags.target);
  if (flags.design === undefined || !isDesignName(flags.design)) {
    const what = flags.design === undefined ? '--design is required' : `--design: unknown ${JSON.stringify(flags.design)}`;
    throw new InvalidOptionError(`${what} (the design the target runs: its clients and right answers depend on it); valid values: ${designNames().join(', ')}`);
  }
  if (flags.out === undefined || flags.out.trim() === '') throw new InvalidOptionError('--out is required: the directory to write the scripts to');
  const names = scenarioList(flags.scenarios);
  const rps = numberFlag('--rate', flags.rate, exportDefaults.rps, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000, 'an integer number of requests per second >= 1');
  const durationSec = numberFlag('--duration', flags.duration, exportDefaults.durationSec, (n) => Number.isInteger(n) && n >= 1 && n <= 86_400, 'a whole number of seconds from 1 to 86400');
  const users = numberFlag('--users', flags.users, exportDefaults.users, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000, "an integer >= 1 (the server's --users)");
  const flagBudget: Budget = {
    ...(flags.p99 === undefined ? {} : { p99Ms: numberFlag('--p99', flags.p99, 0, (n) => n > 0, 'a number of milliseconds > 0') }),
    ...(flags.errorRate === undefined ? {} : { errorRate: errorRateFlag(flags.errorRate) as number }),
  };
  const file = flags.budget === undefined ? {} : await readBudgets(flags.budget);
  const design = designOf(flags.design);
  const written = await writeArtilleryExport({
    target,
    design: design.name,
    traits: design.traits,
    rps,
    durationSec,
    users,
    pools: runDefaults.pools,
    timeoutSec: runDefaults.timeoutSec,
    scenarios: names,
    budgets: (s) => budgetFor(s, file, flagBudget),
    outDir: flags.out,
  });
  for (const w of written) {
    const needs = w.serverArgs.length > 0 ? `  (start the server with: authbench serve ${design.name} ${w.serverArgs.join(' ')})` : '';
    process.stderr.write(`${w.scenario}: ${w.sequence.map((s) => `${s.method} ${s.path}`).join(' → ')}${needs}\n`);
    process.stdout.write(`${artilleryCommand(['run', '--output', w.scriptPath.replace(/\.json$/, '.report.json'), w.scriptPath]).join(' ')}\n`);
  }
}

/** `authbench export artillery`: Artillery scripts of authbench's scenarios, to run locally or distributed. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write authbench scenarios as scripts for another load generator')
    .command('artillery')
    .description(`an Artillery script per scenario (arrival-rate phase, processor that plans it with authbench's own scenario code, ensure thresholds); prints the commands that run them (${artilleryCommand([]).join(' ')}, not a dependency of authbench)`)
    .addOption(new Option('--target <url>', 'base URL of the server under load (required)'))
    .addOption(new Option('--design <name>', `the design the target runs (required): ${designNames().join(', ')}`))
    .addOption(new Option('--scenarios <list>', `comma-separated: ${EXPORTABLE_SCENARIOS.join(',')} (default ${LOAD_SCENARIOS.join(',')})`))
    .addOption(new Option('--rate <rps>', `offered requests per second, all of a session's requests counted (default ${exportDefaults.rps})`))
    .addOption(new Option('--duration <sec>', `seconds of the arrival phase (default ${exportDefaults.durationSec})`))
    .addOption(new Option('--users <n>', `seeded users on the server, its --users (default ${exportDefaults.users})`))
    .addOption(new Option('--budget <file>', 'JSON budgets per scenario name (or "default"): { "p99Ms": 20, "errorRate": 0.001 }, written as ensure thresholds'))
    .addOption(new Option('--p99 <ms>', 'ensure: p99 response time under this (over the budget file)'))
    .addOption(new Option('--error-rate <pct>', 'ensure: requests not answered correctly under this share, e.g. 0.1% (over the budget file)'))
    .addOption(new Option('--out <dir>', 'directory to write the scripts to (required)'))
    .action(async (flags: ExportFlags) => {
      await exportArtillery(flags);
    });
}
