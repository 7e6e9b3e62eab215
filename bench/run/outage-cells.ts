import { firstLineOf } from '../../lib/errors.js';
import { getJson } from '../../lib/http.js';
import { LocalCluster } from '../../redis/local-cluster.js';
import { LocalRedis } from '../../redis/local-server.js';
import { isOutageScenario, scenarios } from '../../scenarios/index.js';
import type { OutageScenario } from '../../scenarios/scenario.js';
import { refusesRevoked, type OutagePolicy } from '../../servers/design.js';
import { designOf, type DesignName } from '../../servers/designs/index.js';
import { FAULTS, type FaultMode, type FaultName, type FaultTarget } from '../faults/injector.js';
import { RedisProxy } from '../faults/proxy.js';
import { ceilingCellsOf, measuredCellsOf, type OutageCell } from '../result/schema.js';
import { jwtArgs, type RunConfig } from './config.js';
import type { RunContext } from './context.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { httpTokenSource } from '../load/tokens.js';
import { analyseOutage } from '../measure/outage.js';
import type { HealthSample } from '../measure/outage-events.js';
import { summariseFailover } from '../measure/failover.js';
import { runPacedLoad } from '../load/paced.js';

export interface OutageVariant {
  readonly strategy: DesignName;
  readonly policy: OutagePolicy;
}

/** Each design once per failure policy it declares (fail-closed and fail-open side by side where it has both). */
export function outageVariants(strategies: readonly DesignName[]): OutageVariant[] {
  return strategies.flatMap((strategy) => designOf(strategy).traits.failurePolicies.map((policy) => ({ strategy, policy })));
}

export function outageCellCount(config: RunConfig): number {
  return config.scenarios.filter(isOutageScenario).length * outageVariants(config.strategies).length * config.outage.faults.length;
}

/** Per-request timeout of the outage load: past the 1 s "hung" mark, short enough to keep the phases honest. */
export const OUTAGE_TIMEOUT_SEC = 2;

/**
 * The fixed rate every design sustains comfortably: the first --rate in req/s when given; else a quarter of the slowest design's
 * validate throughput in this run; else a twentieth of the slowest ceiling (validate runs at about a quarter of
 * it here). Bounded to 50..2000 req/s.
 */
export function chooseOutageRate(ctx: RunContext, scenario: OutageScenario): { rate: number; source: string } {
  const given = ctx.config.rates.find((r): r is { rps: number } => 'rps' in r);
  if (given !== undefined) return { rate: given.rps, source: 'the first rate in req/s of --rate' };
  const cells = measuredCellsOf(ctx.result);
  const medians = (of: typeof cells) => of.flatMap((c) => (c.summary === undefined ? [] : [c.summary.requestsPerSec.median]));
  const bound = (n: number) => Math.round(Math.min(2000, Math.max(50, n)));
  const reference = medians(cells.filter((c) => c.scenario === scenario.rateReference));
  if (reference.length > 0) return { rate: bound(Math.min(...reference) * 0.25), source: `25% of the slowest ${scenario.rateReference} median in this run` };
  const ceiling = medians(ceilingCellsOf(ctx.result));
  if (ceiling.length > 0) return { rate: bound(Math.min(...ceiling) * 0.05), source: '5% of the slowest ceiling median in this run' };
  return { rate: 200, source: 'default (nothing measured yet)' };
}

function withPolicy(args: readonly string[], policy: OutagePolicy): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--blacklist-failure') i++;
    else out.push(args[i] as string);
  }
  return policy === 'open' ? [...out, '--blacklist-failure', 'open'] : [...out, '--blacklist-failure', 'closed'];
}

async function runOne(ctx: RunContext, scenario: OutageScenario, variant: OutageVariant, fault: FaultMode, cell: OutageCell, rate: number): Promise<void> {
  const { config, io } = ctx;
  let server: ServerProcess | undefined;
  let proxy: RedisProxy | undefined;
  const target: { current?: FaultTarget } = {};
  let ownRedis: LocalRedis | undefined;
  let ownCluster: LocalCluster | undefined;
  let injected = false;
  try {
    let redisArgs: string[];
    if (fault.needsOwnedCluster === true) {
      // A cluster of its own per cell: after a failover the killed node is back as a replica, not as it was.
      ownCluster = await LocalCluster.start();
      target.current = { redis: undefined, proxy: undefined, cluster: ownCluster, latencyMs: config.outage.faultLatencyMs };
      redisArgs = ['--redis-cluster', ownCluster.addresses.join(','), '--redis-password', ownCluster.password];
    } else {
      // Each cell gets its own Redis when authbench may start one, so a kill or a flush cannot leak into the next.
      ownRedis = ctx.redis.owned ? await LocalRedis.start({ persistence: config.outage.persistence }) : undefined;
      const upstream = new URL(ownRedis?.url ?? ctx.redis.url);
      proxy = await RedisProxy.start({ upstreamHost: upstream.hostname, upstreamPort: Number(upstream.port) });
      if (config.redisLatencyMs > 0) await proxy.setBaseDelay(config.redisLatencyMs);
      target.current = { redis: ownRedis, proxy, latencyMs: config.outage.faultLatencyMs };
      const viaProxy = fault.viaProxy || config.redisLatencyMs > 0;
      redisArgs = ['--redis-url', viaProxy ? proxy.via(upstream.href) : upstream.href];
    }
    // Outage cells run the run's first JWT library: what they measure is Redis failing, not verification.
    const [impl] = config.jwtImpls;
    const implArgs = impl === undefined || !designOf(variant.strategy).traits.verifiesJwt ? [] : jwtArgs(config, impl);
    server = await startServerProcess(variant.strategy, [...redisArgs, ...implArgs, ...withPolicy(config.serverArgs, variant.policy)], io.serverEnv);
    const tokens = httpTokenSource(server.url, config.users, 20);
    const valid = await tokens.issue(scenario.validTokens);
    const revoked = await tokens.issue(scenario.revokedTokens);
    await tokens.revoke(revoked);
    const metricsUrl = server.metricsUrl ?? '';
    const before = await getJson(metricsUrl, 2000);

    const [b, d, a] = config.outage.phasesSec;
    const health: HealthSample[] = [];
    const window = { faultStartMs: NaN, faultEndMs: NaN, endMs: (b + d + a) * 1000 };
    const timers: NodeJS.Timeout[] = [];
    let faultWork: Promise<void> = Promise.resolve();
    const faultErrors: string[] = [];
    const connections = Math.min(256, Math.max(16, Math.ceil(rate * 0.3)));
    const load = await runPacedLoad(
      { url: server.url, rate, connections, durationSec: b + d + a, timeoutSec: OUTAGE_TIMEOUT_SEC, validTokens: valid, revokedTokens: revoked, revokedShare: scenario.revokedShare, signal: io.signal, keepEvents: true },
      (now) => {
        const sampler = setInterval(() => {
          const t = now();
          void getJson(metricsUrl, config.outage.bucketMs).then((m) => {
            const h = m?.['health'] as Record<string, number> | undefined;
            health.push(h === undefined ? { t } : { t, inFlight: h['inFlight'], rssBytes: h['rssBytes'], eventLoopDelayP99Ms: h['eventLoopDelayP99Ms'], eventLoopDelayMaxMs: h['eventLoopDelayMaxMs'] });
          });
        }, config.outage.bucketMs);
        timers.push(sampler);
        timers.push(setTimeout(() => {
          window.faultStartMs = now();
          injected = true;
          faultWork = fault.inject(target.current as FaultTarget).catch((err: unknown) => void faultErrors.push(`inject: ${String(err)}`));
        }, b * 1000));
        timers.push(setTimeout(() => {
          faultWork = faultWork.then(() => fault.clear(target.current as FaultTarget)).then(
            () => {
              injected = false;
              window.faultEndMs = now();
            },
            (err: unknown) => void faultErrors.push(`clear: ${String(err)}`),
          );
        }, (b + d) * 1000));
      },
    );
    for (const t of timers) clearInterval(t);
    await faultWork;
    if (io.signal.aborted) throw new Error('interrupted');
    if (faultErrors.length > 0) throw new Error(`fault ${fault.name} failed: ${faultErrors.join('; ')}`);
    if (!Number.isFinite(window.faultStartMs) || !Number.isFinite(window.faultEndMs)) throw new Error('the fault window did not complete');
    const after = await getJson(metricsUrl, 2000);
    const unchecked = Number(after?.['uncheckedServed'] ?? 0) - Number(before?.['uncheckedServed'] ?? 0);
    const gone = server.exited();
    if (gone !== undefined) throw new Error(`server ${variant.strategy} ${gone} during the outage`);
    cell.outage = analyseOutage({
      fault: fault.name,
      strategy: variant.strategy,
      policy: variant.policy,
      window,
      bucketMs: config.outage.bucketMs,
      sent: load.sent,
      responses: load.responses,
      errors: load.errorList,
      health,
      uncheckedServed: unchecked,
      expectRevokedRefused: refusesRevoked(designOf(variant.strategy).traits),
    });
    cell.load = { rate, connections, maxPacerLagMs: Math.round(load.maxPacerLagMs), pacerLagP99Ms: load.pacerLag.p99, persistence: config.outage.persistence, phasesSec: [b, d, a] };
    const watch = target.current?.failover;
    if (watch !== undefined) cell.failover = summariseFailover(watch, window.faultStartMs, cell.outage.timeline);
  } catch (err) {
    cell.status = 'errored';
    cell.errors.push(firstLineOf(err));
    if (server !== undefined) cell.serverOutput = server.stderr().slice(-2000);
  } finally {
    // Never leave a stopped Redis, a proxy or a server behind, even when interrupted mid-fault.
    if (injected && target.current !== undefined) await fault.clear(target.current).catch(() => undefined);
    await server?.stop();
    await proxy?.close();
    await (target.current?.redis ?? ownRedis)?.stop();
    await ownCluster?.stop();
  }
}

/** Why a fault cannot run in this run, or undefined when it can. */
export function skipReason(config: RunConfig, fault: FaultMode, redisOwned: boolean): string | undefined {
  const name = fault.name;
  if (config.target !== undefined) return `--target: authbench runs neither that server nor its Redis, so it cannot inject fault ${name}`;
  if (fault.needsOwnedCluster === true) {
    if (config.redisCluster === undefined) return `fault ${name} needs a Redis Cluster that authbench started (--redis-cluster local)`;
    if (config.redisCluster !== 'local') return `fault ${name} kills a node, which authbench does only in a cluster it started (this run was given --redis-cluster host:port,...)`;
    return undefined;
  }
  if (config.redisCluster !== undefined) return `fault ${name} acts on a single Redis or the proxy in front of it; this run uses a Redis Cluster (its fault is kill-master)`;
  if (fault.needsOwnedRedis && !redisOwned) return `fault ${name} kills, stops or flushes Redis, which authbench does only to a Redis it started (this run was given --redis-url)`;
  return undefined;
}

/**
 * The outage cells: for each fault, each design under each failure policy it declares, under an open-loop load at
 * a fixed rate, the fault injected after the first phase and cleared after the second. A fault that needs a Redis
 * authbench started is skipped, with the reason, when the run was given a URL.
 */
export async function runOutageCells(ctx: RunContext): Promise<void> {
  const { config, io, result } = ctx;
  for (const name of config.scenarios.filter(isOutageScenario)) {
    const scenario = scenarios[name];
    const { rate, source } = chooseOutageRate(ctx, scenario);
    result.outageRate = { rate, source };
    for (const faultName of config.outage.faults as FaultName[]) {
      const fault = FAULTS[faultName];
      for (const variant of outageVariants(config.strategies)) {
        if (io.signal.aborted) return;
        const label = variant.policy === 'none' ? variant.strategy : `${variant.strategy} (${variant.policy})`;
        ctx.step(`${name} × ${label}, fault ${faultName}`);
        const cell: OutageCell = { kind: 'outage', scenario: name, strategy: variant.strategy, ...(config.target === undefined ? { workers: 1 } : {}), policy: variant.policy, fault: faultName, status: 'ok', errors: [] };
        result.cells.push(cell);
        const skip = skipReason(config, fault, ctx.redis.owned);
        if (skip !== undefined) {
          cell.status = 'skipped';
          cell.errors.push(skip);
        } else {
          await runOne(ctx, scenario, variant, fault, cell, rate);
          if (io.signal.aborted) {
            result.cells.pop(); // cut short: not a measurement
            return;
          }
        }
        await io.checkpoint(result);
      }
    }
  }
}
