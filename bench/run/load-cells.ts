import { firstLineOf } from '../../lib/errors.js';
import { CEILING_SCENARIO, isLoadScenario, scenarios, type LoadScenarioName } from '../../scenarios/index.js';
import type { Scenario, ScenarioContext } from '../../scenarios/scenario.js';
import { designOf, type DesignName } from '../../servers/designs/index.js';
import { getJson } from '../../lib/http.js';
import { applyCeiling, judge, summarise } from '../measure/aggregate.js';
import { computeCost, redisSnapshot, sampleState, serverSnapshotOf } from '../measure/cost.js';
import { refusalDelta } from '../measure/refusals.js';
import { clockTicks, limitsBetween, pidsOf, snapshotLimits, type LimitsProbe } from '../measure/limits.js';
import { runLoad } from '../load/autocannon.js';
import { cellKey, unitLabel, type LoadCell, type Repetition } from '../result/schema.js';
import type { JwtImpl } from '../../servers/config.js';
import { jwtArgs, measuresCeiling, type RunConfig } from './config.js';
import type { RunContext } from './context.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { httpTokenSource } from '../load/tokens.js';

/** Strategy order of repetition `rep`: A B C, then C B A, … so drift does not favour whoever runs first. */
export function orderFor<T>(items: readonly T[], rep: number): T[] {
  return rep % 2 === 0 ? [...items] : [...items].reverse();
}

/** A consumed pool holds this much more than the previous repetition's rate × the duration: room for a faster run. */
export const POOL_HEADROOM = 1.5;

/**
 * The token pool of a phase. A consumed pool (logout) is sized to the phase's length: from the previous repetition's
 * rate of the same cell when there is one (so that a fast design does not run out of tokens and end its cell early),
 * else the --pools size; the others are re-issued at full size. Pure.
 */
export function poolSize(scenario: Pick<Scenario, 'pool'>, config: Pick<RunConfig, 'pools' | 'warmupSec' | 'durationSec'>, phase: ScenarioContext['phase'], previousRps?: number): number {
  if (scenario.pool === undefined) return 0;
  const configured = config.pools[scenario.pool.name];
  if (!scenario.pool.consumed) return configured;
  const full = previousRps !== undefined && previousRps > 0 ? Math.max(configured, Math.ceil(previousRps * config.durationSec * POOL_HEADROOM)) : configured;
  if (phase === 'warmup') return Math.max(100, Math.ceil((full * config.warmupSec) / config.durationSec));
  return full;
}

interface Measured {
  readonly repetition: Repetition;
  readonly serverOutput?: string;
}

/**
 * What a cell measures: a server authbench started, or the --target (which never exits as far as authbench knows,
 * and whose process it cannot see: no `child`).
 */
export type Measurable = Pick<ServerProcess, 'url' | 'metricsUrl' | 'stderr' | 'exited' | 'exitedWithin' | 'stop'> & { readonly child?: { readonly pid?: number | undefined } };

/**
 * A server that is already running elsewhere (--target): nothing to start, watch or stop, and no metrics to read
 * (an authbench server serves them on its own loopback admin port, which the target's URL does not name).
 */
function targetServer(url: string): Measurable {
  return { url, metricsUrl: undefined, stderr: () => '', exited: () => undefined, exitedWithin: async () => undefined, stop: async () => {} };
}

/**
 * One server setup of a run: a design at one worker count (undefined for --target, whose setup is not known) and,
 * for a design that verifies JWTs, one JWT library (named on the cells only when the run has several).
 */
export interface Unit {
  readonly strategy: DesignName;
  readonly workers: number | undefined;
  readonly jwtImpl: JwtImpl | undefined;
}

/** The units of a run: each design × worker count × JWT library (the library only for designs that verify JWTs). */
export function unitsOf(config: Pick<RunConfig, 'strategies' | 'workers' | 'target' | 'jwtImpls'>): Unit[] {
  return config.strategies.flatMap((strategy): Unit[] => {
    // A --target runs its own library: the run names none.
    const impls: (JwtImpl | undefined)[] = designOf(strategy).traits.verifiesJwt && config.jwtImpls.length > 0 ? [...config.jwtImpls] : [undefined];
    const workers: (number | undefined)[] = config.target === undefined ? [...config.workers] : [undefined];
    return impls.flatMap((jwtImpl) => workers.map((w) => ({ strategy, workers: w, jwtImpl })));
  });
}

/** What identifies a unit's cells: its worker count, and its library when the run measured several. */
export const identityOf = (unit: Unit, config: Pick<RunConfig, 'jwtImpls'>): { workers?: number; jwtImpl?: string } => ({
  ...(unit.workers === undefined ? {} : { workers: unit.workers }),
  ...(unit.jwtImpl !== undefined && config.jwtImpls.length > 1 ? { jwtImpl: unit.jwtImpl } : {}),
});

/** How long a failure waits to learn whether its server died (a killed server's sockets close before it is reaped). */
const EXIT_GRACE_MS = 1000;

/** A failed repetition as data: the first line of the error, why the server died if it did, and its last output. */
export async function failedRepetition(err: unknown, rep: number, position: number, server: Measurable | undefined): Promise<Measured> {
  const message = firstLineOf(err);
  const exited = await server?.exitedWithin(EXIT_GRACE_MS);
  return {
    repetition: { index: rep, position, status: 'errored', error: exited === undefined ? message : `${message} (server ${exited})` },
    serverOutput: (server?.stderr() ?? (err instanceof Error ? err.message : '')).slice(-2000),
  };
}

/**
 * A fresh server for `unit` (or the --target): its worker count, JWT library and the run's server options, then
 * `scenarioArgs` (a scenario's own options for the design, Scenario.serverArgs; given last, they win).
 */
export async function startUnitServer(unit: Unit, ctx: RunContext, scenarioArgs: readonly string[] = []): Promise<Measurable> {
  const { config, io } = ctx;
  if (config.target !== undefined) return targetServer(config.target);
  const workerArgs = unit.workers !== undefined && unit.workers > 1 ? ['--workers', String(unit.workers)] : [];
  const implArgs = unit.jwtImpl === undefined ? [] : jwtArgs(config, unit.jwtImpl);
  return startServerProcess(unit.strategy, [...ctx.serverRedisArgs, ...workerArgs, ...implArgs, ...config.serverArgs, ...scenarioArgs], io.serverEnv);
}

/**
 * The ceiling is the first cell on a fresh server process: it warms up for at least this long whatever --warmup
 * says (bench:ci runs --warmup 0), so the process's JIT warm-up is not measured as its ceiling, and the cells
 * after it meet a warm process.
 */
export const CEILING_MIN_WARMUP_SEC = 1;

async function measureOnce(name: LoadScenarioName, unit: Unit, rep: number, position: number, server: Measurable, ctx: RunContext, ticksPerSec: number, previousRps: number | undefined): Promise<Measured> {
  const { config, io } = ctx;
  const { strategy } = unit;
  // With several workers GET /metrics answers for one of them, so the server's share of the cost is not known;
  // with --target there is no Redis of the run to read. The cost is then left out.
  const inspector = (unit.workers ?? 1) === 1 ? ctx.inspector : undefined;
  const scenario: Scenario = scenarios[name];
  try {
    const tokens = httpTokenSource(server.url, config.users, config.connections);
    const load = { url: server.url, connections: config.connections, timeoutSec: config.timeoutSec, signal: io.signal };
    const { traits } = designOf(strategy);
    const sctx = (phase: ScenarioContext['phase']): ScenarioContext => ({ traits, tokens, users: config.users, phase, poolSize: poolSize(scenario, config, phase, previousRps) });
    const [sampleToken] = await tokens.issue(1);
    const warmupSec = name === CEILING_SCENARIO ? Math.max(config.warmupSec, CEILING_MIN_WARMUP_SEC) : config.warmupSec;
    if (warmupSec > 0) await runLoad(await scenario.plan(sctx('warmup')), { ...load, durationSec: warmupSec });
    if (io.signal.aborted) throw new Error('interrupted');
    const plan = await scenario.plan(sctx('measure'));
    // Cost snapshots and refusal counters bracket the measured phase only: pool preparation and warm-up are not in
    // them. With several workers GET /metrics answers for one of them: refusals by reason are then not read.
    // The "before" read collects the server's garbage first (GET /metrics?gc=1): the warm-up's is not the phase's.
    const metricsUrl = (unit.workers ?? 1) === 1 ? server.metricsUrl : undefined;
    const metrics = async (gc = false): Promise<unknown> => (metricsUrl === undefined ? undefined : getJson(`${metricsUrl}${gc ? '?gc=1' : ''}`, 2000));
    const metricsBefore = await metrics(true);
    const before = inspector === undefined ? undefined : { redis: await redisSnapshot(inspector), server: serverSnapshotOf(metricsBefore) };
    // The limits window sits inside the cost snapshots, as close to the load as it can be.
    const probe: LimitsProbe = { serverPid: server.child?.pid, redis: ctx.inspector, ticksPerSec };
    const limitsBefore = await snapshotLimits(probe);
    const measurement = await runLoad(plan, { ...load, durationSec: config.durationSec });
    const limitsAfter = await snapshotLimits({ ...probe, pids: pidsOf(limitsBefore) });
    const metricsAfter = await metrics();
    const after = inspector === undefined ? undefined : { redis: await redisSnapshot(inspector), server: serverSnapshotOf(metricsAfter) };
    const gone = server.exited();
    if (gone !== undefined) throw new Error(`server ${strategy} ${gone} during the measurement`);
    const refusalsByReason = refusalDelta(metricsBefore, metricsAfter);
    const j = { ...judge(measurement, scenario.expect(traits), refusalsByReason), ...(refusalsByReason === undefined ? {} : { refusalsByReason }) };
    const cost =
      inspector === undefined || before?.server === undefined || after?.server === undefined
        ? undefined
        : computeCost(measurement.responses, { before: before.redis, after: after.redis }, { before: before.server, after: after.server }, await sampleState(inspector, traits.state), sampleToken?.length ?? null);
    const limits = limitsBetween(limitsBefore, limitsAfter, {
      activeSec: measurement.durationSec,
      generatorCpuPerSec: measurement.loadGenerator.cpuPerSec,
      runnerCpuPerSec: measurement.loadGenerator.cpuPerSec,
      answeredPerSec: measurement.durationSec > 0 ? measurement.responses / measurement.durationSec : 0,
    });
    return { repetition: { index: rep, position, status: 'ok', measurement, ...j, ...(cost === undefined ? {} : { cost }), limits } };
  } catch (err) {
    return await failedRepetition(err, rep, position, server);
  }
}

/**
 * The throughput cells. Each repetition goes through the designs — each design at each worker count (--workers) —
 * in alternating order; each gets a fresh server process that runs the ceiling, then every load scenario, with Redis
 * flushed in between (only a Redis authbench started). With --target nothing is started: the one design named is
 * the server already running there. A failed repetition is recorded as data and the run goes on.
 */
export async function runLoadCells(ctx: RunContext): Promise<void> {
  const { config, io, result } = ctx;
  const names: LoadScenarioName[] = [...(measuresCeiling(config) ? [CEILING_SCENARIO] : []), ...config.scenarios.filter(isLoadScenario).filter((s) => s !== CEILING_SCENARIO)];
  if (names.length === 0) return;
  const cells = new Map<string, LoadCell>();
  const units = unitsOf(config);
  const ticksPerSec = clockTicks();
  // Cells are created up front, in table order, so the result lists every cell even if the run stops early.
  for (const name of names) {
    for (const unit of units) {
      const kind = name === CEILING_SCENARIO ? 'ceiling' : 'load';
      const cell: LoadCell = { kind, scenario: name, strategy: unit.strategy, ...identityOf(unit, config), status: 'ok', repetitions: [], errors: [] };
      cells.set(cellKey(cell), cell);
      result.cells.push(cell);
    }
  }
  for (let rep = 0; rep < config.repeat; rep++) {
    for (const [position, unit] of orderFor(units, rep).entries()) {
      const { strategy } = unit;
      const label = unitLabel({ strategy, ...identityOf(unit, config) });
      let server: Measurable | undefined;
      let serverArgs = '';
      let startError: unknown;
      try {
        for (const name of names) {
          if (io.signal.aborted) return;
          ctx.step(`${name} × ${label}, repetition ${rep + 1}/${config.repeat}`);
          // One server process per design and repetition, restarted if a scenario killed it or needs other options
          // (with --target the server is not ours to restart: a scenario's options are not applied).
          const scenarioArgs = config.target === undefined ? (scenarios[name].serverArgs?.(designOf(strategy).traits) ?? []) : [];
          if (server === undefined || server.exited() !== undefined || scenarioArgs.join(' ') !== serverArgs) {
            await server?.stop();
            server = undefined;
            serverArgs = scenarioArgs.join(' ');
            try {
              server = await startUnitServer(unit, ctx, scenarioArgs);
            } catch (err) {
              startError = err;
            }
          }
          const cell = cells.get(cellKey({ scenario: name, strategy, ...identityOf(unit, config) })) as LoadCell;
          const previousRps = cell.repetitions.findLast((r) => r.status === 'ok')?.requestsPerSec;
          const measured = server === undefined ? await failedRepetition(startError, rep, position, undefined) : await measureOnce(name, unit, rep, position, server, ctx, ticksPerSec, previousRps);
          if (io.signal.aborted) return; // a repetition cut short is not a measurement
          cell.repetitions.push(measured.repetition);
          if (measured.repetition.status === 'errored') {
            cell.status = 'errored';
            cell.errors.push(`repetition ${rep + 1}: ${measured.repetition.error ?? 'failed'}`);
            if (measured.serverOutput !== undefined) cell.serverOutput = measured.serverOutput;
          }
          const summary = summarise(cell.repetitions);
          if (summary !== undefined) cell.summary = summary;
          applyCeiling(result);
          await ctx.flushOwnedRedis();
          await io.checkpoint(result);
        }
      } finally {
        await server?.stop();
      }
    }
  }
}
