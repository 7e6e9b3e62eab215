import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { CapacityConfig } from '../bench/capacity/run-capacity.js';
import { parseMs } from '../bench/run/config.js';
import { InvalidOptionError } from '../lib/errors.js';
import { resolveServerConfig } from '../servers/config.js';
import { designNames, isDesignName, type DesignName } from '../servers/designs/index.js';
import { numberFlag, parsePercent } from './flags.js';
import { interruptOnSignals } from './interrupt.js';
import { addServerOptions } from './server-options.js';
import { rawServerOptions, serverArgv, type ServerFlagValues } from '../servers/options.js';

interface CapacityFlags extends ServerFlagValues {
  sloP99?: string;
  strategies?: string;
  startRate?: string;
  factor?: string;
  maxSteps?: string;
  stepDuration?: string;
  repeat?: string;
  resolution?: string;
  connections?: string;
  out?: string;
}

export function resolveCapacityConfig(flags: CapacityFlags, env: NodeJS.ProcessEnv): CapacityConfig {
  const server = resolveServerConfig(rawServerOptions(flags, env));
  const strategies = (flags.strategies ?? designNames().join(',')).split(',').map((s) => s.trim());
  for (const s of strategies) if (!isDesignName(s)) throw new InvalidOptionError(`--strategies: unknown ${JSON.stringify(s)}; valid values: ${designNames().join(', ')}`);
  return {
    strategies: strategies as DesignName[],
    sloP99Ms: flags.sloP99 === undefined ? 10 : parseMs('--slo-p99', flags.sloP99),
    startRate: numberFlag('--start-rate', flags.startRate, 1000, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1'),
    factor: numberFlag('--factor', flags.factor, 1.25, (n) => n > 1 && n <= 4, 'a number > 1 and <= 4'),
    maxSteps: numberFlag('--max-steps', flags.maxSteps, 20, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100'),
    stepSec: numberFlag('--step-duration', flags.stepDuration, 5, (n) => n >= 1 && n <= 60, 'seconds from 1 to 60 (the first 0.5 s is not judged)'),
    repeat: numberFlag('--repeat', flags.repeat, 3, (n) => Number.isInteger(n) && n >= 1 && n <= 20, 'an integer from 1 to 20'),
    resolution: parsePercent('--resolution', flags.resolution ?? '5%'),
    connections: numberFlag('--connections', flags.connections, 100, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'an integer from 1 to 10000'),
    serverArgs: serverArgv(flags),
    redisUrl: server.redisUrl,
  };
}

/** `authbench capacity --slo-p99 10ms`: the highest open-loop rate each design sustains within a p99 target. */
export function registerCapacity(program: Command): void {
  addServerOptions(
    program
      .command('capacity')
      .description('step an open-loop rate per design until p99 passes the target or errors pass 1%; report the highest sustainable rate')
      .addOption(new Option('--slo-p99 <ms>', 'p99 latency target, e.g. 10ms').default('10ms'))
      .addOption(new Option('--strategies <list>', `comma-separated: ${designNames().join(',')}`))
      .addOption(new Option('--start-rate <rps>', 'first rate (default 1000)'))
      .addOption(new Option('--factor <x>', 'each step multiplies the rate by this (default 1.25)'))
      .addOption(new Option('--max-steps <n>', 'at most this many rates tried per design (default 20)'))
      .addOption(new Option('--step-duration <sec>', 'seconds per repetition of a rate (default 5)'))
      .addOption(new Option('--repeat <n>', 'repetitions of each rate, judged together: the p99 of all their requests (default 3)'))
      .addOption(new Option('--resolution <pct>', 'stop bisecting when the first failing rate is within this of the last passing one (default 5%)'))
      .addOption(new Option('--connections <n>', 'connections (default 100)'))
      .addOption(new Option('--out <dir>', 'output directory (default results/capacity-<timestamp>/)')),
  ).action(async (flags: CapacityFlags) => {
    const config = resolveCapacityConfig(flags, process.env);
    // Imported once the flags are known, not at the CLI's start (every process of the CLI, each server included, paid for it).
    const [{ renderCapacity }, { runCapacity }, { writeAtomicJson }] = await Promise.all([import('../bench/capacity/render.js'), import('../bench/capacity/run-capacity.js'), import('../bench/result/write.js')]);
    const outDir = flags.out ?? join('results', `capacity-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const secret = flags.jwtSecret ?? process.env['AUTHBENCH_JWT_SECRET'] ?? '';
    const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`) : () => {};
    const result = await runCapacity(config, interruptOnSignals('the capacity search'), { AUTHBENCH_JWT_SECRET: secret, REDIS_URL: '' }, progress);
    await writeAtomicJson(join(outDir, 'capacity.json'), result);
    process.stdout.write(`${renderCapacity(result)}\n`);
    process.stderr.write(`results: ${join(outDir, 'capacity.json')}\n`);
    process.exitCode = result.status === 'interrupted' ? 130 : result.designs.some((d) => d.error !== undefined) ? 1 : 0;
  });
}
