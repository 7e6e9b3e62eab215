import { isLoadScenario, isOutageScenario, isPropagationScenario, scenarios } from '../../scenarios/index.js';
import { designOf } from '../../servers/designs/index.js';
import { measureDecomposition } from '../measure/decomposition.js';
import { measureRoundTrip, type RedisRoundTrip } from '../measure/round-trip.js';
import { collectEnvironment } from './environment.js';
import { RedisProxy } from '../faults/proxy.js';
import { runLoadCells, unitsOf } from './load-cells.js';
import { equalLoadStepCount, runEqualLoadCells } from './equal-load-cells.js';
import { describeMethod } from './method.js';
import { runOutageCells, outageCellCount } from './outage-cells.js';
import { propagationCellCount, runPropagationCells } from './propagation-cells.js';
import { SCHEMA_VERSION, type RunResult } from '../result/schema.js';
import { measuresCeiling, type RunConfig } from './config.js';
import type { RunContext, RunIO } from './context.js';
import { flushAll, obtainRunRedis } from './redis.js';


export { orderFor } from './load-cells.js';

/** PINGs per round-trip measurement beside --redis-latency: enough for a p99, a second or two at most. */
const ROUND_TRIP_SAMPLES = 400;

/**
 * Runs the whole benchmark: gets a Redis (and, with --redis-latency, a delaying proxy in front of it), runs
 * the throughput cells, the equal-load cells, then the outage cells, writing the result after every cell. Aborting the signal stops
 * the current load and returns what finished; every process and port is released on every path.
 */
export async function runBench(config: RunConfig, io: RunIO): Promise<RunResult> {
  // One Redis, a Redis Cluster (--redis-cluster), or none for a server running elsewhere (--target).
  const { redis, inspector, serverArgs } = await obtainRunRedis(config, io.serverEnv['REDIS_PASSWORD'] || undefined);
  let proxy: RedisProxy | undefined;
  try {
    if (config.redisLatencyMs > 0 || config.redisProxy) {
      const upstream = new URL(redis.url);
      proxy = await RedisProxy.start({ upstreamHost: upstream.hostname, upstreamPort: Number(upstream.port) });
      await proxy.setBaseDelay(config.redisLatencyMs);
    }
    // What the servers will wait per Redis command, measured idle before any cell: the asked delay alone says nothing
    // of the proxy's own hop or of how finely it can hold a reply.
    let redisRoundTrip: RedisRoundTrip | undefined;
    if (proxy !== undefined && config.redisLatencyMs > 0) {
      const options = { samples: ROUND_TRIP_SAMPLES, intervalMs: 1 };
      const directMs = await measureRoundTrip(redis.url, options);
      const proxiedMs = await measureRoundTrip(proxy.via(redis.url), options);
      redisRoundTrip = { askedMs: config.redisLatencyMs, directMs, proxiedMs, samples: ROUND_TRIP_SAMPLES };
    }
    const result: RunResult = {
      schemaVersion: SCHEMA_VERSION,
      tool: 'authbench',
      kind: 'run',
      startedAt: new Date().toISOString(),
      status: 'running',
      environment: await collectEnvironment(redis.url, redis.source),
      config,
      designs: Object.fromEntries(config.strategies.map((name) => [name, { summary: designOf(name).summary, traits: designOf(name).traits }])),
      method: describeMethod(config, redis.owned, redisRoundTrip),
      ...(redisRoundTrip === undefined ? {} : { redisRoundTrip }),
      ceiling: {},
      cells: [],
    };
    const loadNames = (measuresCeiling(config) ? 1 : 0) + config.scenarios.filter(isLoadScenario).length;
    const total = loadNames * config.repeat * unitsOf(config).length + equalLoadStepCount(config) + outageCellCount(config) + propagationCellCount(config);
    let done = 0;
    const ctx: RunContext = {
      config,
      io,
      redis,
      serverRedisUrl: proxy?.via(redis.url) ?? redis.url,
      proxyUrl: proxy?.via(redis.url),
      serverRedisArgs: proxy === undefined ? serverArgs : ['--redis-url', proxy.via(redis.url)],
      result,
      inspector,
      step: (label) => io.progress.step(done++, total, label),
      flushOwnedRedis: async () => {
        // Only a Redis authbench started is flushed; against a URL nothing is deleted.
        if (redis.owned && inspector !== undefined) await flushAll(inspector);
      },
    };
    await runLoadCells(ctx);
    if (!io.signal.aborted) await runEqualLoadCells(ctx);
    const decomposed = config.scenarios.filter(isLoadScenario).find((s) => scenarios[s].decomposed === true);
    // Not for a cluster (its GET round trip is not one node's) nor for --target (no server cost is measured).
    if (decomposed !== undefined && config.redisCluster === undefined && config.target === undefined && !io.signal.aborted) {
      // Through the proxy when there is one: the round trip the servers see.
      const input = { cells: result.cells, designs: result.designs, defaultJwtImpl: config.jwtImpls[0] };
      result.decomposition = await measureDecomposition(input, decomposed, config.jwtAlg, config.jwtImpls, ctx.serverRedisUrl, config.quick ? 2000 : 10000);
      await io.checkpoint(result);
    }
    if (config.scenarios.some(isOutageScenario) && !io.signal.aborted) await runOutageCells(ctx);
    if (config.scenarios.some(isPropagationScenario) && !io.signal.aborted) await runPropagationCells(ctx);
    io.progress.finish();
    result.status = io.signal.aborted ? 'interrupted' : 'complete';
    result.finishedAt = new Date().toISOString();
    await io.checkpoint(result);
    return result;
  } finally {
    inspector?.disconnect();
    await proxy?.close();
    await redis.stop();
  }
}
