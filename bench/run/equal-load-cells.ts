import { isLoadScenario, scenarios, type LoadScenarioName } from '../../scenarios/index.js';
import { loginBodies } from '../../scenarios/scenario.js';
import { REFRESH_AHEAD_MS } from '../../scenarios/session.js';
import { sessionsOf } from '../measure/aggregate.js';
import { designOf } from '../../servers/designs/index.js';
import { getJson } from '../../lib/http.js';
import { spread, sumCounts } from '../../lib/stats.js';
import { computeCost, redisSnapshot, sampleState, serverSnapshotOf, summariseCost, type Cost } from '../measure/cost.js';
import { mergeRepetitions } from '../measure/histogram.js';
import { clockTicks, limitsBetween, pidsOf, snapshotLimits, summariseLimits, type Limits, type LimitsSnapshot } from '../measure/limits.js';
import { pacerLagAcceptable, runPacedLoad, type PacedLoadResult, type PacedSession } from '../load/paced.js';
import { startRoundTripProbe, type RoundTripSample } from '../measure/round-trip.js';
import { httpTokenSource } from '../load/tokens.js';
import { measuredCellsOf, unitLabel, type EqualLoadCell, type EqualLoadRepetition, type EqualLoadResult, type EqualLoadSummary, type LoadCell } from '../result/schema.js';
import { offeredRateLabel, type EqualLoadPart, type OfferedRate, type RunConfig } from './config.js';
import type { RunContext } from './context.js';
import { failedRepetition, identityOf, orderFor, startUnitServer, unitsOf, type Measurable, type Unit } from './load-cells.js';

/** A rate of the equal-load cells, resolved to req/s. */
export interface ResolvedRate {
  readonly label: string;
  readonly rps: number;
}

/**
 * The offered rates in req/s, ascending: a share is of `slowestRps` (the slowest design's closed-loop median in
 * this run), rounded; a share with nothing to take it of is left out, with a note. Pure.
 */
export function resolveRates(rates: readonly OfferedRate[], slowestRps: number | undefined): { rates: ResolvedRate[]; notes: string[] } {
  const notes: string[] = [];
  const out: ResolvedRate[] = [];
  for (const r of rates) {
    if ('rps' in r) out.push({ label: offeredRateLabel(r), rps: r.rps });
    else if (slowestRps === undefined || !(slowestRps > 0)) notes.push(`${offeredRateLabel(r)} left out: no closed-loop throughput was measured to take it of`);
    else out.push({ label: offeredRateLabel(r), rps: Math.max(1, Math.round(r.share * slowestRps)) });
  }
  const seen = new Set<number>();
  return { rates: out.filter((r) => !seen.has(r.rps) && seen.add(r.rps)).sort((a, b) => a.rps - b.rps), notes };
}

/** The slowest unit's closed-loop median req/s on `scenario` in this run, and which it was. */
export function slowestOf(cells: readonly LoadCell[], scenario: string): { rps: number; label: string } | undefined {
  let slowest: { rps: number; label: string } | undefined;
  for (const c of cells) {
    const rps = c.summary?.requestsPerSec.median;
    if (c.scenario !== scenario || rps === undefined || !(rps > 0)) continue;
    if (slowest === undefined || rps < slowest.rps) slowest = { rps, label: unitLabel(c) };
  }
  return slowest;
}

/** One repetition's figures from the paced load (pure but for the cost, which is given). */
export function repetitionOf(index: number, position: number, durationSec: number, load: PacedLoadResult, expect: { ok: readonly number[]; wrong: readonly number[] }, cost: Cost | undefined, limits?: Limits, roundTrip?: RoundTripSample): EqualLoadRepetition {
  const count = (statuses: readonly number[]): number => statuses.reduce((sum, s) => sum + (load.statusCounts[String(s)] ?? 0), 0);
  // A sampled 200 that named another user is wrong, not correct (where a 200 is the right answer).
  const mismatches = expect.ok.includes(200) ? load.contentMismatches : 0;
  return {
    index,
    position,
    status: 'ok',
    sent: load.sent,
    durationSec,
    achievedRps: Math.max(0, count(expect.ok) - mismatches) / durationSec,
    statusCounts: load.statusCounts,
    errors: load.errors,
    timeouts: load.timeouts,
    wrongAnswers: count(expect.wrong) + mismatches,
    contentChecked: load.contentChecked,
    contentMismatches: load.contentMismatches,
    ...(load.sessions === null ? {} : { sessions: load.sessions }),
    latencyMs: load.corrected,
    latencyHistogram: load.correctedHistogram,
    uncorrectedMs: load.uncorrected,
    uncorrectedHistogram: load.uncorrectedHistogram,
    pacerLagMs: load.pacerLag,
    generatorBusy: load.eventLoopUtilization,
    valid: pacerLagAcceptable(load.pacerLag.p99, load.corrected.p99),
    ...(cost === undefined ? {} : { cost }),
    ...(limits === undefined ? {} : { limits }),
    ...(roundTrip === undefined ? {} : { redisRoundTripMs: roundTrip.figures, redisRoundTripHistogram: roundTrip.histogram }),
  };
}

/** A cell's summary over its repetitions that succeeded; undefined when none did. Pure. */
export function summariseEqualLoad(reps: readonly EqualLoadRepetition[]): EqualLoadSummary | undefined {
  const ok = reps.filter((r) => r.status === 'ok' && r.latencyHistogram !== undefined && r.latencyMs !== undefined);
  const corrected = mergeRepetitions(ok.map((r) => ({ histogram: r.latencyHistogram as string, figures: r.latencyMs as { p50: number; p99: number } })));
  if (corrected === undefined) return undefined;
  const uncorrected = mergeRepetitions(ok.flatMap((r) => (r.uncorrectedHistogram === undefined || r.uncorrectedMs === undefined ? [] : [{ histogram: r.uncorrectedHistogram, figures: r.uncorrectedMs }])));
  const cost = summariseCost(ok.flatMap((r) => (r.cost === undefined ? [] : [r.cost])));
  const limits = summariseLimits(ok.flatMap((r) => (r.limits === undefined ? [] : [r.limits])));
  const roundTrip = mergeRepetitions(ok.flatMap((r) => (r.redisRoundTripHistogram === undefined || r.redisRoundTripMs === undefined ? [] : [{ histogram: r.redisRoundTripHistogram, figures: r.redisRoundTripMs }])));
  return {
    ...corrected,
    achievedRps: spread(ok.map((r) => r.achievedRps ?? 0)),
    uncorrectedMs: { p50: uncorrected?.latencyMs.p50 ?? NaN, p99: uncorrected?.latencyMs.p99 ?? NaN },
    pacerLagP99Ms: Math.max(...ok.map((r) => r.pacerLagMs?.p99 ?? 0)),
    valid: ok.every((r) => r.valid === true),
    statusCounts: sumCounts(ok.map((r) => r.statusCounts ?? {})),
    errors: ok.reduce((a, r) => a + (r.errors ?? 0), 0),
    timeouts: ok.reduce((a, r) => a + (r.timeouts ?? 0), 0),
    wrongAnswers: ok.reduce((a, r) => a + (r.wrongAnswers ?? 0), 0),
    contentChecked: ok.reduce((a, r) => a + (r.contentChecked ?? 0), 0),
    contentMismatches: ok.reduce((a, r) => a + (r.contentMismatches ?? 0), 0),
    ...sessionsOf(ok.map((r) => r.sessions)),
    ...(cost === undefined ? {} : { cost }),
    ...(limits === undefined ? {} : { limits }),
    ...(roundTrip === undefined ? {} : { redisRoundTrip: roundTrip }),
  };
}

/** The scenario driven at equal load by default, if the run has one and any rate. */
export function equalLoadScenarioOf(config: Pick<RunConfig, 'scenarios' | 'rates'>): LoadScenarioName | undefined {
  if (config.rates.length === 0) return undefined;
  return config.scenarios.filter(isLoadScenario).find((s) => scenarios[s].equalLoad === true);
}

/**
 * The equal-load parts of a run, in order: those asked for (`equalLoadParts`: only scenarios that can be paced, with
 * a rate), else the scenario that declares `equalLoad` at `rates`. Pure.
 */
export function equalLoadPartsOf(config: Pick<RunConfig, 'scenarios' | 'rates' | 'equalLoadParts'>): EqualLoadPart[] {
  if (config.equalLoadParts !== undefined) return config.equalLoadParts.filter((p) => p.rates.length > 0 && scenarios[p.scenario].paced !== undefined);
  const name = equalLoadScenarioOf(config);
  return name === undefined ? [] : [{ scenario: name, rates: config.rates }];
}

/** Steps of progress the equal-load parts take: one per part, unit and repetition. */
export function equalLoadStepCount(config: RunConfig): number {
  return equalLoadPartsOf(config).length * config.repeat * unitsOf(config).length;
}

async function measureRates(name: LoadScenarioName, unit: Unit, rep: number, position: number, server: Measurable, rates: readonly ResolvedRate[], cells: ReadonlyMap<number, EqualLoadCell>, ctx: RunContext): Promise<void> {
  const { config, io } = ctx;
  const { traits } = designOf(unit.strategy);
  // As for the throughput cells: the server's cost only for a one-process server of a run with its own Redis.
  const inspector = (unit.workers ?? 1) === 1 ? ctx.inspector : undefined;
  const shape = scenarios[name].paced ?? { kind: 'me' };
  // GET /me needs tokens issued before; a session logs in by itself.
  const issued = shape.kind === 'me' ? await httpTokenSource(server.url, config.users, Math.min(config.connections, 20)).issueNamed(config.pools.validate) : [];
  const valid = issued.map((t) => t.token);
  const session: PacedSession | undefined =
    shape.kind === 'session'
      ? { logins: loginBodies(config.users).map((body, n) => ({ body, username: `user${n}` })), mePerSession: shape.mePerSession, ...(traits.refreshTokens === true ? { refreshAheadMs: REFRESH_AHEAD_MS } : {}) }
      : undefined;
  const expect = scenarios[name].expect(traits);
  for (const rate of rates) {
    if (io.signal.aborted) return;
    const cell = cells.get(rate.rps) as EqualLoadCell;
    try {
      const readMetrics = (query = ''): Promise<Record<string, unknown> | undefined> => (server.metricsUrl === undefined ? Promise.resolve(undefined) : getJson(`${server.metricsUrl}${query}`, 2000));
      const snapshot = async () => (inspector === undefined ? undefined : { redis: await redisSnapshot(inspector), server: serverSnapshotOf(await readMetrics()) });
      // The paced warm-up leads straight into the measured part, so the garbage collected here is that of what came
      // before the warm-up (the previous rate, the token pool): the measured part pays only for its own warm-up's.
      await readMetrics('?gc=1');
      let before: Awaited<ReturnType<typeof snapshot>>;
      let limitsBefore: LimitsSnapshot | undefined;
      const probe = { serverPid: server.child?.pid, redis: ctx.inspector, ticksPerSec: clockTicks() };
      // With the latency proxy, the round trip through it is measured while the load runs (the servers' wait, loaded).
      const roundTripProbe = ctx.proxyUrl === undefined ? undefined : await startRoundTripProbe(ctx.proxyUrl);
      let load: PacedLoadResult;
      let roundTrip: RoundTripSample | undefined;
      try {
        load = await runPacedLoad(
          { url: server.url, rate: rate.rps, connections: config.connections, durationSec: config.durationSec, warmupSec: config.warmupSec, timeoutSec: config.timeoutSec, validTokens: valid, validUsers: issued.map((t) => t.username), revokedTokens: [], revokedShare: 0, signal: io.signal, ...(session === undefined ? {} : { session }) },
          () => {
            // Cost snapshots bracket the measured part: taken when its first request is due (the warm-up is over).
            void snapshotLimits(probe).then((s) => (limitsBefore = s));
            void snapshot().then((s) => (before = s));
            roundTripProbe?.begin();
          },
        );
      } finally {
        roundTrip = await roundTripProbe?.end();
      }
      const limitsAfter = limitsBefore === undefined ? undefined : await snapshotLimits({ ...probe, pids: pidsOf(limitsBefore) });
      const after = await snapshot();
      if (io.signal.aborted) return;
      const gone = server.exited();
      if (gone !== undefined) throw new Error(`server ${unit.strategy} ${gone} during the measurement`);
      const answered = Object.values(load.statusCounts).reduce((a, n) => a + n, 0);
      const cost =
        inspector === undefined || before?.server === undefined || after?.server === undefined
          ? undefined
          : computeCost(answered, { before: before.redis, after: after.redis }, { before: before.server, after: after.server }, await sampleState(inspector, traits.state), valid[0]?.length ?? null);
      // The generator's CPU is that of its HTTP thread, read as the share of its time it was busy.
      const limits =
        limitsBefore === undefined || limitsAfter === undefined
          ? undefined
          : limitsBetween(limitsBefore, limitsAfter, { activeSec: load.sendingMs / 1000, generatorCpuPerSec: load.eventLoopUtilization, offeredPerSec: rate.rps, answeredPerSec: answered / config.durationSec });
      cell.repetitions.push(repetitionOf(rep, position, config.durationSec, load, expect, cost, limits, roundTrip));
    } catch (err) {
      const failed = await failedRepetition(err, rep, position, server);
      cell.repetitions.push({ index: rep, position, status: 'errored', error: failed.repetition.error ?? 'failed' });
      cell.status = 'errored';
      cell.errors.push(`repetition ${rep + 1}: ${failed.repetition.error ?? 'failed'}`);
      if (failed.serverOutput !== undefined) cell.serverOutput = failed.serverOutput;
    }
    const summary = summariseEqualLoad(cell.repetitions);
    if (summary !== undefined) cell.summary = summary;
    await io.checkpoint(ctx.result);
  }
}

/**
 * Latency at equal offered load: after the throughput cells, every design is driven at the same open-loop rates
 * (shares of the slowest design's closed-loop throughput on the scenario, measured just before, and any req/s
 * given), paced off the runner's thread. Per repetition the designs run in alternating order, each on a fresh
 * server, the rates ascending, each with its own paced warm-up. A failure is recorded in its cell; the run goes on.
 */
export async function runEqualLoadCells(ctx: RunContext): Promise<void> {
  for (const [i, part] of equalLoadPartsOf(ctx.config).entries()) {
    if (ctx.io.signal.aborted) return;
    await runEqualLoadPart(part, i === 0, ctx);
  }
}

/** One scenario's part: the first goes to `result.equalLoad` (what reports show), the others to `equalLoadMore`. */
async function runEqualLoadPart({ scenario: name, rates }: EqualLoadPart, first: boolean, ctx: RunContext): Promise<void> {
  const { config, io, result } = ctx;
  const slowest = slowestOf(measuredCellsOf(result), name);
  const resolved = resolveRates(rates, slowest?.rps);
  const part: EqualLoadResult = { scenario: name, ...(slowest === undefined ? {} : { slowestRps: slowest.rps, slowest: slowest.label }), notes: resolved.notes, cells: [] };
  if (first) result.equalLoad = part;
  else (result.equalLoadMore ??= []).push(part);
  const units = unitsOf(config);
  const byUnit = new Map<Unit, Map<number, EqualLoadCell>>();
  for (const rate of resolved.rates) {
    for (const unit of units) {
      const cell: EqualLoadCell = { kind: 'equal-load', scenario: name, strategy: unit.strategy, ...identityOf(unit, config), rateLabel: rate.label, offeredRps: rate.rps, status: 'ok', errors: [], repetitions: [] };
      part.cells.push(cell);
      const mine = byUnit.get(unit) ?? new Map<number, EqualLoadCell>();
      mine.set(rate.rps, cell);
      byUnit.set(unit, mine);
    }
  }
  if (resolved.rates.length === 0) return;
  for (let rep = 0; rep < config.repeat; rep++) {
    for (const [position, unit] of orderFor(units, rep).entries()) {
      if (io.signal.aborted) return;
      const cells = byUnit.get(unit) as Map<number, EqualLoadCell>;
      ctx.step(`${name} at equal load (${resolved.rates.map((r) => r.rps).join(', ')} req/s) × ${unitLabel({ strategy: unit.strategy, ...identityOf(unit, config) })}, repetition ${rep + 1}/${config.repeat}`);
      let server: Measurable | undefined;
      try {
        // A scenario's own server options for the design (the session's short access token for jwt-refresh).
        server = await startUnitServer(unit, ctx, config.target === undefined ? (scenarios[name].serverArgs?.(designOf(unit.strategy).traits) ?? []) : []);
        await measureRates(name, unit, rep, position, server, resolved.rates, cells, ctx);
      } catch (err) {
        const failed = await failedRepetition(err, rep, position, server);
        for (const cell of cells.values()) {
          cell.status = 'errored';
          cell.errors.push(`repetition ${rep + 1}: ${failed.repetition.error ?? 'failed'}`);
        }
      } finally {
        await server?.stop();
        await ctx.flushOwnedRedis();
      }
    }
  }
}
