import type { Cluster, Redis } from 'ioredis';
import type { StateTrait } from '../../servers/design.js';
import { median } from '../../lib/stats.js';
import { nodesOf } from '../run/redis.js';

/** What Redis says about itself at one moment: calls per command and CPU seconds. */
export interface RedisSnapshot {
  readonly calls: Record<string, number>;
  readonly cpuSec: number;
}

/** What the server says about itself (GET /metrics `health`): CPU, peak memory, bytes on the wire. */
export interface ServerSnapshot {
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly maxRssBytes: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** fast-jwt's verification cache (--jwt-cache): lookups that hit and that missed, since the server started. */
  readonly jwtCacheHits: number;
  readonly jwtCacheMisses: number;
}

export type StateKind = StateTrait['kind'];

/** Server-side state after a cell: what one session or one revoked token costs, as the design declares its state. */
export interface StateSample {
  readonly kind: StateKind;
  /** Mean `MEMORY USAGE` of the sampled keys; 0 for a design that keeps no state; null when none was present. */
  readonly bytesPerKey: number | null;
  /** Keys of that kind found by the sample scan (at most the sample size). */
  readonly sampled: number;
}

/** Per-request costs of one repetition, as plain data. */
export interface Cost {
  /** Redis commands the servers issued per request, all commands and by command name. */
  readonly redisCommandsPerRequest: number;
  readonly redisCommandsByName: Record<string, number>;
  /** Redis CPU (user + system, from INFO cpu) per request, microseconds. */
  readonly redisCpuUsPerRequest: number;
  /** Server process CPU (user + system) per request, microseconds. */
  readonly serverCpuUsPerRequest: number;
  readonly serverCpuUserUsPerRequest: number;
  readonly serverCpuSystemUsPerRequest: number;
  /** Peak resident memory of the server process so far. */
  readonly serverPeakRssBytes: number;
  readonly stateKind: StateKind;
  /** Bytes in Redis per session or per revoked token; 0 for a design that keeps no state there; null if none was found. */
  readonly stateBytes: number | null;
  /** Length of the token in the Authorization header. */
  readonly tokenBytes: number | null;
  /** HTTP bytes per request and per response, headers included, as counted on the server's sockets. */
  readonly requestBytes: number;
  readonly responseBytes: number;
  /**
   * Share of JWT verifications served from fast-jwt's cache in the measured phase; null without a cache or without
   * a lookup. A token pool smaller than the cache is served from it once warm: the figure says how much.
   */
  readonly jwtCacheHitRate: number | null;
}

/** Commands authbench itself sends to Redis (bookkeeping, health probes, handshakes): not the servers' work. */
const HARNESS_COMMANDS = new Set(['info', 'ping', 'scan', 'memory', 'flushall', 'flushdb', 'hello', 'client', 'select', 'command', 'dbsize', 'config']);

/** Parses `INFO commandstats` and `INFO cpu` text into a snapshot. */
export function parseRedisInfo(commandstats: string, cpu: string): RedisSnapshot {
  const calls: Record<string, number> = {};
  for (const m of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) calls[m[1].toLowerCase()] = Number(m[2]);
  }
  const num = (key: string): number => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { calls, cpuSec: num('used_cpu_user') + num('used_cpu_sys') };
}

/** INFO of the Redis, or the sum over the masters of a Redis Cluster (each serves its share of the keys). */
export async function redisSnapshot(client: Redis | Cluster): Promise<RedisSnapshot> {
  const snapshots = await Promise.all(
    nodesOf(client).map(async (node) => {
      const [commandstats, cpu] = await Promise.all([node.info('commandstats'), node.info('cpu')]);
      return parseRedisInfo(commandstats, cpu);
    }),
  );
  const calls: Record<string, number> = {};
  for (const s of snapshots) for (const [name, n] of Object.entries(s.calls)) calls[name] = (calls[name] ?? 0) + n;
  return { calls, cpuSec: snapshots.reduce((sum, s) => sum + s.cpuSec, 0) };
}

/** Command calls between two snapshots, without the harness's own commands. */
export function commandDeltas(before: RedisSnapshot, after: RedisSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(after.calls)) {
    if (HARNESS_COMMANDS.has(name)) continue;
    const d = n - (before.calls[name] ?? 0);
    if (d > 0) out[name] = d;
  }
  return out;
}

/**
 * Divides what changed between two snapshots by the number of requests answered. Pure: the accounting is
 * unit-tested; the snapshots come from INFO and GET /metrics around the measured phase only.
 */
export function computeCost(
  requests: number,
  redis: { before: RedisSnapshot; after: RedisSnapshot },
  server: { before: ServerSnapshot; after: ServerSnapshot },
  state: StateSample,
  tokenBytes: number | null,
): Cost {
  const per = (n: number): number => (requests > 0 ? n / requests : 0);
  const byName = commandDeltas(redis.before, redis.after);
  const total = Object.values(byName).reduce((a, b) => a + b, 0);
  const user = server.after.cpuUserUs - server.before.cpuUserUs;
  const system = server.after.cpuSystemUs - server.before.cpuSystemUs;
  return {
    redisCommandsPerRequest: per(total),
    redisCommandsByName: Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, per(v)])),
    redisCpuUsPerRequest: per((redis.after.cpuSec - redis.before.cpuSec) * 1e6),
    serverCpuUsPerRequest: per(user + system),
    serverCpuUserUsPerRequest: per(user),
    serverCpuSystemUsPerRequest: per(system),
    serverPeakRssBytes: server.after.maxRssBytes,
    stateKind: state.kind,
    stateBytes: state.bytesPerKey,
    tokenBytes,
    requestBytes: per(server.after.bytesIn - server.before.bytesIn),
    responseBytes: per(server.after.bytesOut - server.before.bytesOut),
    jwtCacheHitRate: hitRate(server.after.jwtCacheHits - server.before.jwtCacheHits, server.after.jwtCacheMisses - server.before.jwtCacheMisses),
  };
}

/**
 * Mean MEMORY USAGE of up to `sample` keys of the state the design declares (read-only: safe on any Redis; on a
 * cluster, master by master).
 */
export async function sampleState(client: Redis | Cluster, state: StateTrait, sample = 100): Promise<StateSample> {
  const { kind } = state;
  if (state.kind === 'none') return { kind, bytesPerKey: 0, sampled: 0 };
  const pattern = state.keyPattern;
  const keys: { node: Redis; key: string }[] = [];
  for (const node of nodesOf(client)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found.map((key) => ({ node, key })));
    } while (cursor !== '0' && keys.length < sample);
    if (keys.length >= sample) break;
  }
  const picked = keys.slice(0, sample);
  if (picked.length === 0) return { kind, bytesPerKey: null, sampled: 0 };
  const sizes = await Promise.all(picked.map(({ node, key }) => node.memory('USAGE', key)));
  const known = sizes.filter((s): s is number => typeof s === 'number');
  return { kind, bytesPerKey: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length, sampled: picked.length };
}

const hitRate = (hits: number, misses: number): number | null => (hits + misses > 0 ? hits / (hits + misses) : null);

export function serverSnapshotOf(metrics: unknown): ServerSnapshot | undefined {
  const m = metrics as ({ health?: Record<string, unknown> } & Record<string, unknown>) | undefined;
  const h = m?.health;
  if (m === undefined || h === undefined) return undefined;
  const n = (o: Record<string, unknown>, k: string): number => (typeof o[k] === 'number' ? (o[k] as number) : 0);
  return {
    cpuUserUs: n(h, 'cpuUserUs'),
    cpuSystemUs: n(h, 'cpuSystemUs'),
    maxRssBytes: n(h, 'maxRssBytes'),
    bytesIn: n(h, 'bytesIn'),
    bytesOut: n(h, 'bytesOut'),
    jwtCacheHits: n(m, 'jwtCacheHits'),
    jwtCacheMisses: n(m, 'jwtCacheMisses'),
  };
}

/** The cost of a cell over its repetitions: the median of each figure, the largest peak RSS. */
export function summariseCost(costs: readonly Cost[]): Cost | undefined {
  const first = costs[0];
  if (first === undefined) return undefined;
  const med = median;
  const medOrNull = (values: readonly (number | null)[]): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === 0 ? null : med(known);
  };
  const names = [...new Set(costs.flatMap((c) => Object.keys(c.redisCommandsByName)))].sort();
  return {
    redisCommandsPerRequest: med(costs.map((c) => c.redisCommandsPerRequest)),
    redisCommandsByName: Object.fromEntries(names.map((n) => [n, med(costs.map((c) => c.redisCommandsByName[n] ?? 0))])),
    redisCpuUsPerRequest: med(costs.map((c) => c.redisCpuUsPerRequest)),
    serverCpuUsPerRequest: med(costs.map((c) => c.serverCpuUsPerRequest)),
    serverCpuUserUsPerRequest: med(costs.map((c) => c.serverCpuUserUsPerRequest)),
    serverCpuSystemUsPerRequest: med(costs.map((c) => c.serverCpuSystemUsPerRequest)),
    serverPeakRssBytes: Math.max(...costs.map((c) => c.serverPeakRssBytes)),
    stateKind: first.stateKind,
    stateBytes: medOrNull(costs.map((c) => c.stateBytes)),
    tokenBytes: medOrNull(costs.map((c) => c.tokenBytes)),
    requestBytes: med(costs.map((c) => c.requestBytes)),
    responseBytes: med(costs.map((c) => c.responseBytes)),
    // Results from before --jwt-cache have no such field.
    jwtCacheHitRate: medOrNull(costs.map((c) => c.jwtCacheHitRate ?? null)),
  };
}
