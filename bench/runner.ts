import { Redis } from 'ioredis';
import { obtainRedis } from '../redis/provider.js';
import { scenarios, type ScenarioName } from '../scenarios/index.js';
import type { Scenario, ScenarioContext } from '../scenarios/scenario.js';
import type { StrategyName } from '../servers/strategies/index.js';
import { applyCeiling, judge, summarise } from './aggregate.js';
import { collectEnvironment } from './environment.js';
import { runLoad } from './load.js';
import { describeMethod } from './method.js';
import type { Progress } from './progress.js';
import { SCHEMA_VERSION, type CellResult, type Repetition, type RunResult } from './result.js';
import type { RunConfig } from './run-config.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { httpTokenSource } from './tokens.js';

export interface RunIO {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** Environment for the server processes (carries the JWT secret, which never goes into argv or results). */
  readonly serverEnv: NodeJS.ProcessEnv;
  /** Called after every repetition with the result so far, so an interrupted run keeps what it finished. */
  readonly checkpoint: (result: RunResult) => Promise<void>;
}

/** Strategy order of repetition `rep`: A B C, then C B A, … so drift does not favour whoever runs first. */
export function orderFor<T>(items: readonly T[], rep: number): T[] {
  return rep % 2 === 0 ? [...items] : [...items].reverse();
}

function poolSize(scenario: Scenario, config: RunConfig, phase: ScenarioContext['phase']): number {
  if (scenario.pool === undefined) return 0;
  const full = config.pools[scenario.pool];
  // A consumable pool (logout) is sized to the phase's length; the others are re-issued at full size.
  if (scenario.pool === 'logout' && phase === 'warmup') return Math.max(100, Math.ceil((full * config.warmupSec) / config.durationSec));
  return full;
}

interface Measured {
  readonly repetition: Repetition;
  readonly serverOutput?: string;
}

async function measureOnce(
  name: ScenarioName,
  strategy: StrategyName,
  rep: number,
  position: number,
  server: ServerProcess,
  config: RunConfig,
  io: RunIO,
): Promise<Measured> {
  const scenario = scenarios[name];
  try {
    const tokens = httpTokenSource(server.url, config.users, config.connections);
    const load = { url: server.url, connections: config.connections, rate: config.rate, timeoutSec: config.timeoutSec, signal: io.signal };
    const ctx = (phase: ScenarioContext['phase']): ScenarioContext => ({ strategy, tokens, users: config.users, phase, poolSize: poolSize(scenario, config, phase) });
    if (config.warmupSec > 0) await runLoad(await scenario.plan(ctx('warmup')), { ...load, durationSec: config.warmupSec });
    if (io.signal.aborted) throw new Error('interrupted');
    const measurement = await runLoad(await scenario.plan(ctx('measure')), { ...load, durationSec: config.durationSec });
    const gone = server.exited();
    if (gone !== undefined) throw new Error(`server ${strategy} ${gone} during the measurement`);
    const j = judge(measurement, scenario.expect(strategy));
    return { repetition: { index: rep, position, status: 'ok', measurement, ...j } };
  } catch (err) {
    return failed(err, rep, position, server);
  }
}

function failed(err: unknown, rep: number, position: number, server: ServerProcess | undefined): Measured {
  const message = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  const exited = server?.exited();
  return {
    repetition: { index: rep, position, status: 'errored', error: exited === undefined ? message : `${message} (server ${exited})` },
    serverOutput: (server?.stderr() ?? (err instanceof Error ? err.message : '')).slice(-2000),
  };
}

/**
 * Runs every scenario × strategy cell. Each repetition goes through the designs in alternating order; each
 * design gets a fresh server process that runs the ceiling, then every load scenario, with Redis flushed in
 * between. A failed repetition is recorded as data and the run goes on. Aborting the signal stops the current
 * load and returns what finished.
 */
export async function runBench(config: RunConfig, io: RunIO): Promise<RunResult> {
  const redis = await obtainRedis({ url: config.redisUrl });
  // Only a Redis authbench started is flushed between cells; against a URL nothing is deleted.
  const admin = redis.owned ? new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true }) : undefined;
  admin?.on('error', () => {});
  try {
    await admin?.connect();
    const result: RunResult = {
      schemaVersion: SCHEMA_VERSION,
      tool: 'authbench',
      kind: 'run',
      startedAt: new Date().toISOString(),
      status: 'running',
      environment: await collectEnvironment(redis.url, redis.source),
      config,
      method: describeMethod(config, redis.owned),
      ceiling: {},
      cells: [],
    };
    const names: ScenarioName[] = ['ceiling', ...config.scenarios];
    const cells = new Map<string, CellResult>();
    const cellFor = (name: ScenarioName, strategy: StrategyName): CellResult => {
      const key = `${name}|${strategy}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { scenario: name, strategy, status: 'ok', repetitions: [], errors: [] };
        cells.set(key, cell);
        result.cells.push(cell);
      }
      return cell;
    };
    // Cells are created up front, in table order, so the result lists every cell even if the run stops early.
    for (const name of names) for (const strategy of config.strategies) cellFor(name, strategy);
    const total = names.length * config.repeat * config.strategies.length;
    let done = 0;
    outer: for (let rep = 0; rep < config.repeat; rep++) {
      for (const [position, strategy] of orderFor(config.strategies, rep).entries()) {
        let server: ServerProcess | undefined;
        let startError: unknown;
        try {
          for (const name of names) {
            if (io.signal.aborted) break outer;
            io.progress.step(done, total, `${name} × ${strategy}, repetition ${rep + 1}/${config.repeat}`);
            // One server process per design and repetition, restarted if a scenario killed it.
            if (server === undefined || server.exited() !== undefined) {
              await server?.stop();
              server = undefined;
              try {
                server = await startServerProcess(strategy, ['--redis-url', redis.url, ...config.serverArgs], io.serverEnv);
              } catch (err) {
                startError = err;
              }
            }
            const measured = server === undefined ? failed(startError, rep, position, undefined) : await measureOnce(name, strategy, rep, position, server, config, io);
            if (io.signal.aborted) break outer; // a repetition cut short is not a measurement
            const cell = cellFor(name, strategy);
            cell.repetitions.push(measured.repetition);
            if (measured.repetition.status === 'errored') {
              cell.status = 'errored';
              cell.errors.push(`repetition ${rep + 1}: ${measured.repetition.error ?? 'failed'}`);
              if (measured.serverOutput !== undefined) cell.serverOutput = measured.serverOutput;
            }
            const summary = summarise(cell.repetitions);
            if (summary !== undefined) cell.summary = summary;
            applyCeiling(result);
            done++;
            await admin?.flushall();
            await io.checkpoint(result);
          }
        } finally {
          await server?.stop();
        }
      }
    }
    io.progress.finish();
    result.status = io.signal.aborted ? 'interrupted' : 'complete';
    result.finishedAt = new Date().toISOString();
    await io.checkpoint(result);
    return result;
  } finally {
    admin?.disconnect();
    await redis.stop();
  }
}
