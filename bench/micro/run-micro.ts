import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Bench, type Task } from 'tinybench';
import { obtainRedis, type RedisHandle } from '../../redis/provider.js';
import { collectEnvironment, type Environment } from '../run/environment.js';
import { recordedConfig, type MicroConfig } from './config.js';
import { redactUrl } from '../../lib/redact.js';
import { describeMicroMethod } from './method.js';
import { floorComparisons, verifyRatios, type MicroResult, type MicroTaskResult } from './schema.js';
import type { MicroTaskDef } from './task.js';
import { buildTasks, microCatalogue, type BuiltTasks } from './tasks.js';

export interface MicroRunOptions {
  /** Aborting stops the bench: finished tasks are kept, the rest are marked aborted. */
  readonly signal?: AbortSignal;
  /** Progress lines (for stderr). */
  readonly progress?: (line: string) => void;
}

function tinybenchVersion(): string {
  try {
    // tinybench's exports do not include package.json: find it beside the entry point (dist/index.js).
    const entry = createRequire(import.meta.url).resolve('tinybench');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === 'tinybench' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** A tinybench task's outcome as plain data; tinybench latencies are in milliseconds. */
export function taskResult(def: MicroTaskDef, task: Task | undefined): MicroTaskResult {
  const base = { name: def.name, group: def.group, opsPerSample: def.opsPerSample };
  const none = { opsPerSec: null, meanNs: null, p99Ns: null, rme: null, samples: 0 };
  const r = task?.result;
  if (r === undefined) return { ...base, status: 'aborted', ...none };
  if (r.state === 'errored') return { ...base, status: 'errored', error: r.error.message, ...none };
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') return { ...base, status: 'aborted', ...none };
  const l = r.latency;
  return {
    ...base,
    status: r.state === 'completed' ? 'ok' : 'aborted',
    opsPerSec: l.mean > 0 ? round(1000 / l.mean, 1) : null,
    meanNs: round(l.mean * 1e6, 1),
    p99Ns: round(l.p99 * 1e6, 1),
    rme: Number.isFinite(l.rme) ? round(l.rme, 2) : null,
    samples: l.samplesCount,
  };
}

async function environmentOf(handle: RedisHandle | undefined): Promise<Environment> {
  const version = tinybenchVersion();
  if (handle !== undefined) {
    const env = await collectEnvironment(handle.url, handle.source);
    return { ...env, packages: { ...env.packages, tinybench: version } };
  }
  // No Redis in this run. collectEnvironment asks a Redis for its version; port 1 refuses at once (about 15 ms).
  const env = await collectEnvironment('redis://127.0.0.1:1', 'none');
  return { ...env, redisVersion: 'none', packages: { ...env.packages, tinybench: version } };
}

/**
 * Runs the selected micro-benchmarks in this process and returns the results as data. Starts a Redis only when a
 * Redis task is selected and no URL was given, and always stops it. A task that fails, or a Redis that cannot be
 * had, gives errored tasks in the result, not an exception.
 */
export async function runMicro(config: MicroConfig, opts: MicroRunOptions = {}): Promise<MicroResult> {
  const progress = opts.progress ?? ((): void => {});
  const needsRedis = microCatalogue(config.inFlight).some((t) => t.group === 'redis' && config.tasks.includes(t.name));
  let handle: RedisHandle | undefined;
  let redisError: unknown;
  if (needsRedis) {
    try {
      handle = await obtainRedis({ url: config.redisUrl });
    } catch (err) {
      redisError = err;
    }
  }
  let built: BuiltTasks | undefined;
  try {
    const environment = await environmentOf(handle);
    built = await buildTasks({
      names: new Set(config.tasks),
      claims: config.claims,
      batch: config.batch,
      inFlight: config.inFlight,
      redis: handle === undefined ? { error: redisError ?? new Error('no Redis') } : { url: handle.url },
    });
    // tinybench adds an abort listener per task to the signal; past 10 Node warns of a leak that is not one.
    if (opts.signal !== undefined) setMaxListeners(built.tasks.length + 10, opts.signal);
    const bench = new Bench({
      time: config.timeMs,
      warmupTime: config.warmupMs,
      iterations: config.minSamples,
      warmupIterations: config.warmupSamples,
      throws: false,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    for (const t of built.tasks) bench.add(t.name, t.fn, t.options);
    let done = 0;
    const total = built.tasks.length;
    bench.addEventListener('cycle', (e) => progress(`micro: ${++done}/${total} ${e.task?.name ?? ''}`));
    bench.addEventListener('error', (e) => progress(`micro: ${++done}/${total} ${e.task?.name ?? ''} errored: ${e.error?.message ?? ''}`));
    await bench.run();
    const tasks = built.tasks.map((def) => taskResult(def, bench.getTask(def.name)));
    const redis =
      handle === undefined
        ? needsRedis
          ? 'no Redis (see the errored rows)'
          : 'not used'
        : handle.owned
          ? `redis-server started by authbench on loopback (${handle.source}), persistence off`
          : `the URL given, ${redactUrl(handle.url)}; only the keys written here are deleted`;
    return {
      schemaVersion: 2,
      tool: 'authbench',
      kind: 'micro',
      status: opts.signal?.aborted === true ? 'interrupted' : 'complete',
      environment,
      config: recordedConfig(config),
      method: describeMicroMethod(config, environment.packages['tinybench'] ?? 'unknown', redis, new Set(tasks.map((t) => t.group))),
      tasks,
      verifyRatios: verifyRatios(tasks),
      floorComparisons: floorComparisons(tasks),
    };
  } finally {
    await built?.close();
    await handle?.stop();
  }
}
