import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { CalibrationConfig } from '../bench/calibrate/run-calibration.js';
import { InvalidOptionError } from '../lib/errors.js';
import { numberFlag } from './flags.js';
import { interruptOnSignals } from './interrupt.js';

interface CalibrateFlags {
  connections?: string;
  duration?: string;
  warmup?: string;
  rounds?: string;
  rates?: string;
  out?: string;
}

/** The default rates of the pacer's limit: doubling, to past what a 2-core machine answers. */
export const DEFAULT_CALIBRATION_RATES = [250, 500, 1000, 2000, 4000, 8000, 12000];

export function resolveCalibrationConfig(flags: CalibrateFlags): CalibrationConfig {
  const rates = (flags.rates ?? DEFAULT_CALIBRATION_RATES.join(',')).split(',').map((s) => s.trim());
  for (const r of rates) if (!/^\d+$/.test(r) || Number(r) < 1) throw new InvalidOptionError(`--rates must be a comma-separated list of integers >= 1 (req/s), got ${JSON.stringify(r)}`);
  return {
    connections: numberFlag('--connections', flags.connections, 50, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'an integer from 1 to 10000'),
    durationSec: numberFlag('--duration', flags.duration, 3, (n) => n > 0 && n <= 600, 'seconds > 0 and <= 600'),
    warmupSec: numberFlag('--warmup', flags.warmup, 1, (n) => n >= 0 && n <= 60, 'seconds >= 0 and <= 60'),
    rounds: numberFlag('--rounds', flags.rounds, 3, (n) => Number.isInteger(n) && n >= 0 && n <= 50, 'an integer from 0 to 50'),
    rates: rates.map(Number).sort((a, b) => a - b),
  };
}

/** `authbench calibrate`: autocannon against wrk, and the paced generator's highest rate, on this machine. */
export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description("what the load generators are worth here: autocannon vs wrk (closed loop, same connections), and the paced generator's highest rate with lag p99 within 200 µs")
    .addOption(new Option('--connections <n>', 'connections (default 50)'))
    .addOption(new Option('--duration <sec>', 'seconds per measurement (default 3)'))
    .addOption(new Option('--warmup <sec>', 'seconds of warm-up before each (default 1)'))
    .addOption(new Option('--rounds <n>', 'autocannon/wrk rounds, alternating; 0 = no wrk (default 3)'))
    .addOption(new Option('--rates <list>', `open-loop rates tried, ascending (default ${DEFAULT_CALIBRATION_RATES.join(',')})`))
    .addOption(new Option('--out <dir>', 'output directory (default results/calibration-<timestamp>/)'))
    .action(async (flags: CalibrateFlags) => {
      const config = resolveCalibrationConfig(flags);
      // Imported once the flags are known, not at the CLI's start (every process of the CLI, each server included, paid for it).
      const [{ renderCalibration }, { runCalibration }, { writeAtomicJson }] = await Promise.all([import('../bench/calibrate/render.js'), import('../bench/calibrate/run-calibration.js'), import('../bench/result/write.js')]);
      const outDir = flags.out ?? join('results', `calibration-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const file = join(outDir, 'calibration.json');
      const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`) : (line: string) => process.stderr.write(`${line}\n`);
      const secret = process.env['AUTHBENCH_JWT_SECRET'] ?? '';
      const result = await runCalibration(config, interruptOnSignals('the calibration'), { AUTHBENCH_JWT_SECRET: secret, REDIS_URL: '' }, progress, (r) => writeAtomicJson(file, r));
      process.stdout.write(`${renderCalibration(result)}\n`);
      process.stderr.write(`results: ${file}\n`);
      process.exitCode = result.status === 'interrupted' ? 130 : 0;
    });
}
