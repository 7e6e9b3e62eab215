import { scenarios } from '../../scenarios/index.js';
import { REFRESH_AHEAD_MS, SESSION_ACCESS_TTL_SEC } from '../../scenarios/session.js';
import { designOf } from '../../servers/designs/index.js';
import type { RedisRoundTrip } from '../measure/round-trip.js';
import { measuresCeiling, offeredRateLabel, type RunConfig } from './config.js';
import { equalLoadPartsOf } from './equal-load-cells.js';

/** What ran the servers and Redis: the usual fresh processes, N workers, a Redis Cluster, or a --target. */
function serverLines(config: RunConfig, redisOwned: boolean, throughput: boolean): string[] {
  if (config.target !== undefined) {
    return [
      `target: ${config.target}, a server authbench did not start, measured as ${config.strategies.join(', ')}; the same process serves every repetition and nothing is flushed between them; no cost per request is measured (authbench cannot see its process or Redis)`,
    ];
  }
  const lines = [
    throughput
      ? 'each repetition starts a fresh server process per design (compiled JavaScript) that runs the ceiling, then each scenario; one server under load at a time; Redis is a separate process on loopback'
      : 'each cell starts fresh server processes (compiled JavaScript); one design at a time; Redis is a separate process on loopback',
  ];
  if (config.workers.some((w) => w !== 1)) {
    lines.push(
      `workers: each design measured with ${config.workers.join(', ')} worker process(es) (serve --workers: node:cluster, one port, connections handed out round robin by the primary); cost per request only for one process (GET /metrics answers for one worker)`,
    );
  }
  if (config.redisCluster === 'local') lines.push('Redis: a Redis Cluster started by authbench (3 masters + 3 replicas on loopback, cluster-node-timeout 1 s, persistence off), ioredis cluster client reading from masters; every master flushed between repetitions; Redis figures are summed over the masters');
  else if (config.redisCluster !== undefined) lines.push(`Redis: the Redis Cluster given (${config.redisCluster.join(', ')}), ioredis cluster client reading from masters; nothing is flushed or deleted; Redis figures are summed over the masters`);
  else lines.push(redisOwned ? 'Redis: started by authbench, persistence off, flushed between repetitions' : 'Redis: the URL given; nothing is flushed or deleted');
  return lines;
}

/** Which JWT library signed and verified, and how: a figure of a JWT design depends on it. */
function jwtLines(config: RunConfig): string[] {
  if (config.jwtImpls.length === 0) return [];
  const cache = config.jwtCache > 0 ? `; fast-jwt's verification cache on (${config.jwtCache} entries: a token pool smaller than that is served from it, see the hit rate)` : "; no verification cache";
  const each = config.jwtImpls.length > 1 ? `each design that verifies JWTs measured with each library in turn (${config.jwtImpls.join(', ')}; the outage cells with ${config.jwtImpls[0]})` : `library ${config.jwtImpls[0]}`;
  return [`JWT: ${config.jwtAlg}, ${each}, every check the same whatever the library (servers/jwt/claims.ts)${cache}`];
}

function equalLoadLines(config: RunConfig): string[] {
  const parts = config.equalLoadParts;
  if (equalLoadPartsOf(config).length === 0) return [];
  const sessions = (parts ?? []).flatMap((p) => {
    const shape = scenarios[p.scenario].paced;
    return shape?.kind === 'session' ? [shape.mePerSession] : [];
  });
  return [
    parts === undefined
      ? `equal-load cells (validate): every design at the same offered open-loop rates, ${config.rates.map(offeredRateLabel).join(', ')} (a share is of the slowest design's closed-loop validate req/s in this run); request i due at i/rate s and sent then, answered or not (as wrk2), over up to ${config.connections} connections; paced by a thread that sleeps until each request is due, sent by another (undici), off the runner's thread; ${config.warmupSec} s paced warm-up, then ${config.durationSec} s measured per rate`
      : `equal-load cells (${parts.map((p) => `${p.scenario} at ${p.rates.map(offeredRateLabel).join(', ')}`).join('; ')}): every design at the same offered open-loop rate per scenario (a share is of the slowest design's closed-loop req/s on that scenario in this run); request i due at i/rate s and sent then, answered or not (as wrk2), over up to ${config.connections} connections; paced by a thread that sleeps until each request is due, sent by another (undici), off the runner's thread; ${config.warmupSec} s paced warm-up, then ${config.durationSec} s measured per rate`,
    ...sessions.map(
      (n) => `equal-load sessions: one session (login → ${n} × GET /me → logout) due every ${n + 2}/rate s, its requests sent one after another, each timed from when it was meant to go (the session's due time for its login, the previous answer for the others): a session is a client's sequence, the sessions an open loop`,
    ),
    `equal-load latency in µs histograms: corrected (from each request's intended send time: a stall counts in full) and uncorrected (from its actual write); the pacer's lag (actual send − due) is measured too, and a cell whose lag p99 exceeds max(200 µs, 10% of its p99) is marked invalid: part of its latency would be the generator's; answers judged by status and by sampled GET /me bodies, as in the throughput cells`,
  ];
}

/** The delay asked of the latency proxy and the round trip measured through it, when there is one. */
function latencyLines(config: RunConfig, roundTrip: RedisRoundTrip | undefined): string[] {
  if (config.redisLatencyMs <= 0) return [];
  const asked = `Redis latency: ${config.redisLatencyMs} ms added to every Redis reply by a TCP proxy in its own process`;
  if (roundTrip === undefined) return [asked];
  const ms = (f: { p50: number; p99: number }): string => `p50 ${f.p50.toFixed(3)} ms, p99 ${f.p99.toFixed(3)} ms`;
  return [`${asked}; a PING's round trip, measured idle before the cells (${roundTrip.samples} each): ${ms(roundTrip.proxiedMs)} through the proxy, ${ms(roundTrip.directMs)} direct`];
}

/** The method, in words, recorded with the numbers and printed above every table. */
export function describeMethod(config: RunConfig, redisOwned: boolean, roundTrip?: RedisRoundTrip): string[] {
  const loop = `closed loop: ${config.connections} connections, each sends its next request when the previous one is answered`;
  // A run of propagation alone, or of outages at a given rate, measures no throughput cell (not even the ceiling):
  // the lines that describe them would describe nothing it did.
  const throughput = measuresCeiling(config);
  const ifThroughput = (...lines: string[]): string[] => (throughput ? lines : []);
  return [
    ...ifThroughput(`throughput cells: autocannon, ${loop}; pipelining 1; request timeout ${config.timeoutSec} s`),
    ...equalLoadLines(config),
    ...jwtLines(config),
    ...ifThroughput(`each cell: ${config.warmupSec} s warm-up (not counted), then ${config.durationSec} s measured; ${config.repeat} repetition(s), strategies in alternating order (A B C, C B A, …)`),
    ...serverLines(config, redisOwned, throughput),
    ...latencyLines(config, roundTrip),
    ...(config.redisLatencyMs > 0 || config.redisProxy
      ? ['Redis round trip under load: during each equal-load cell a probe on the runner\'s thread (the generator has threads of its own) PINGs Redis through the proxy every 5 ms on a connection of its own, into a µs histogram (redisRoundTripMs per repetition)']
      : []),
    ...ifThroughput(
      'req/s counts only correct answers (median, min–max over repetitions); errors, timeouts, non-2xx and wrong answers are shown apart',
      'answers are judged by status, by sampled body content (GET /me 200s must name the token\'s user: every one of the first 1000 of a repetition, then every 100th) and by refusal reason (the server\'s GET /metrics counters before and after: a 401 for a reason the scenario does not expect, such as malformed in revocation, is a wrong answer)',
      'latency: every response of autocannon recorded in microseconds into an HdrHistogram per repetition; the percentiles are those of the repetitions\' merged histograms, with the range of the per-repetition p50 and p99 beside them; these cells are throughput tests: in a closed loop at saturation the latency restates the throughput (Little\'s law: mean latency ≈ connections ÷ req/s), so designs are compared on latency at equal offered load, not here',
      `× ceiling: req/s divided by GET /health req/s of the same design${config.workers.some((w) => w !== 1) ? ' at the same worker count' : ''} in the same run (the framework alone)`,
      'load generator CPU is recorded per repetition; "saturated" marks cells where it reached 90% of a core and may have set the pace',
    ),
    ...(config.scenarios.includes('session') && config.strategies.some((s) => designOf(s).traits.refreshTokens === true)
      ? [
          `session with refresh tokens (${config.strategies.filter((s) => designOf(s).traits.refreshTokens === true).join(', ')}): its session cells run on a server of their own with an access token of ${SESSION_ACCESS_TTL_SEC} s (iat in whole seconds, so ${SESSION_ACCESS_TTL_SEC - 1}–${SESSION_ACCESS_TTL_SEC} s of life when issued), and its client refreshes (POST /refresh) in place of a GET /me when the token's exp is ${REFRESH_AHEAD_MS} ms away or less, so every design's session sends the same number of requests; refreshes per session in the notes`,
        ]
      : []),
    ...(config.scenarios.includes('propagation')
      ? [
          `propagation: per design ${config.instances} server processes sharing one JWT key and the run's Redis, token lifetime (and jwt-refresh's access token's) ${scenarios.propagation.tokenTtlSec} s; ${config.quick ? scenarios.propagation.quickLogouts : scenarios.propagation.logouts} logouts one after another, each with a fresh token from instance 1 shown valid on every other instance first, logged out on instance 1, then GET /me with it on every other instance, one request in flight per instance, back to back for ${scenarios.propagation.finePollMs} ms after the 204, then every ${scenarios.propagation.coarsePollMs} ms, until ${scenarios.propagation.confirmations} refusals in a row or ${scenarios.propagation.windowMs / 1000} s; delay: from the 204 to when the first refused request was sent, the last instance's per logout; accepted after logout: 200s before an instance's first refusal; undone: 200s after it`,
        ]
      : []),
    ...ifThroughput(
      'limit: over each measured window, CPU per second of the server (all its processes, /proc), of Redis (INFO cpu) and of the generator, and the machine\'s idle share (/proc/stat); an open loop that got 95% of its rate is not saturated; else a one-threaded process at 0.9 s of CPU per second binds (the server: its busiest main thread, or all its processes at 0.9 × workers; the busiest if several); else a machine under 10% idle binds; a cell shows the label most repetitions got',
    ),
  ];
}
