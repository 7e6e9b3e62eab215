import { basename, dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { microDefaults, resolveMicroConfig, type MicroFlags } from '../bench/micro/config.js';
import { interruptOnSignals } from './interrupt.js';

/** Exit codes of `micro`: 0 every task completed, 1 a task errored, 2 bad arguments, 130 interrupted. */
const EXIT_INTERRUPTED = 130;

async function micro(flags: MicroFlags): Promise<number> {
  const config = resolveMicroConfig(flags, process.env);
  // Imported once the flags are known, not at the CLI's start (every process of the CLI, each server included, paid for it).
  const [{ renderMicro }, { runMicro }, { writeText }] = await Promise.all([import('../bench/micro/render.js'), import('../bench/micro/run-micro.js'), import('../bench/result/write.js')]);
  const signal = interruptOnSignals('the micro-benchmarks', EXIT_INTERRUPTED);
  const result = await runMicro(config, { signal, progress: (line) => process.stderr.write(`${line}\n`) });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (config.jsonFile === '-') {
    process.stdout.write(json);
  } else {
    process.stdout.write(`${renderMicro(result)}\n`);
    if (config.jsonFile !== undefined) {
      await writeText(dirname(config.jsonFile), basename(config.jsonFile), json);
      process.stderr.write(`results: ${config.jsonFile}\n`);
    }
  }
  if (result.status === 'interrupted') return EXIT_INTERRUPTED;
  return result.tasks.some((t) => t.status !== 'ok') ? 1 : 0;
}

/** `authbench micro`: tinybench micro-benchmarks of the work behind each design (JWT, token generation, JSON, Redis). */
export function registerMicro(program: Command): void {
  program
    .command('micro')
    .description('micro-benchmarks in one process (tinybench): JWT sign/verify per implementation and algorithm beside the crypto floor, jose per key form, token generation, JSON, Redis round trips')
    .addOption(new Option('--time <ms>', `measured milliseconds per task (default ${microDefaults.timeMs}; warm-up is half of it, at most ${microDefaults.maxWarmupMs})`))
    .addOption(new Option('--filter <substring>', 'only the tasks whose "<group> <name>" contains this, case-insensitive (groups: jwt, jose-key, tokens, json, redis; e.g. jwt/fast-jwt, /HS256/, verify)'))
    .addOption(new Option('--redis-url <url>', 'use this Redis (env REDIS_URL); otherwise authbench starts one when a Redis task is selected'))
    .addOption(new Option('--json <file>', 'also write the JSON result to FILE (- = stdout, instead of the table)'))
    .action(async (flags: MicroFlags) => {
      process.exitCode = await micro(flags);
    });
}
