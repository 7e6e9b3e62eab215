import { basename, dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { runReferenceComparison } from '../bench/reference/compare.js';
import { referenceDefaults, resolveReferenceConfig, type ReferenceFlags } from '../bench/reference/config.js';
import { renderReference } from '../bench/reference/render.js';
import { summariseReference } from '../bench/reference/summary.js';
import { writeText } from '../bench/result/write.js';
import { interruptOnSignals } from './interrupt.js';

/** Exit codes of `reference`: 0 done, 1 a cell had non-2xx answers or socket errors, 2 bad arguments or no wrk, 130 interrupted. */
const EXIT_INTERRUPTED = 130;

async function reference(flags: ReferenceFlags): Promise<number> {
  const config = resolveReferenceConfig(flags);
  const signal = interruptOnSignals('the comparison', EXIT_INTERRUPTED);
  const result = await runReferenceComparison(config, { signal, progress: (line) => process.stderr.write(`${line}\n`) });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (config.jsonFile === '-') {
    process.stdout.write(json);
  } else {
    process.stdout.write(`${renderReference(result)}\n`);
    if (config.jsonFile !== undefined) {
      await writeText(dirname(config.jsonFile), basename(config.jsonFile), json);
      process.stderr.write(`results: ${config.jsonFile}\n`);
    }
  }
  if (result.status === 'interrupted') return EXIT_INTERRUPTED;
  return summariseReference(result).problems.length > 0 ? 1 : 0;
}

/**
 * `authbench reference` (hidden: a check of the harness, not part of it): authbench's `jwt` server, with its default
 * JWT library and with jose, against a minimal @fastify/jwt server doing the same HS256 checks, measured with wrk.
 */
export function registerReference(program: Command): void {
  const d = referenceDefaults;
  program
    .command('reference', { hidden: true })
    .description('authbench jwt (default library, and jose) vs a minimal @fastify/jwt server with the same HS256 checks: wrk on /health and /me of each, interleaved rounds (needs wrk: apt-get install wrk)')
    .addOption(new Option('--rounds <n>', `rounds, servers in alternating order (default ${d.rounds})`))
    .addOption(new Option('--duration <seconds>', `measured seconds per server and route (default ${d.durationSec})`))
    .addOption(new Option('--warmup <seconds>', `wrk warm-up before each measured run, not counted (default ${d.warmupSec})`))
    .addOption(new Option('--connections <n>', `wrk connections (default ${d.connections})`))
    .addOption(new Option('--threads <n>', `wrk threads (default ${d.threads})`))
    .addOption(new Option('--json <file>', 'also write the JSON result to FILE (- = stdout, instead of the table)'))
    .action(async (flags: ReferenceFlags) => {
      process.exitCode = await reference(flags);
    });
}
