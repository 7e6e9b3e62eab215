import type { JwtClaimsConfig } from '../../servers/jwt/codec.js';
import { CPU_TASKS, cpuTasks, storedUserRecord } from './cpu-tasks.js';
import { joseTaskNames, joseTasks } from './jose-tasks.js';
import { jwtTaskNames, jwtTasks } from './jwt-tasks.js';
import { redisTaskNames, redisTasks } from './redis-tasks.js';
import type { MicroGroup } from './schema.js';
import { failing, type MicroTaskDef } from './task.js';

export interface MicroTaskInfo {
  readonly name: string;
  readonly group: MicroGroup;
}

/** The registry: every task `authbench micro` knows, in run order. Names are unique across groups. */
export function microCatalogue(inFlight: number): MicroTaskInfo[] {
  return [
    ...jwtTaskNames().map((name) => ({ name, group: 'jwt-codec' as const })),
    ...joseTaskNames().map((name) => ({ name, group: 'jose-key' as const })),
    ...CPU_TASKS.map(({ name, group }) => ({ name, group })),
    ...redisTaskNames(inFlight).map((name) => ({ name, group: 'redis' as const })),
  ];
}

/** Whether `--filter` selects a task: a case-insensitive substring of "<group> <name>". */
export const matchesFilter = (task: MicroTaskInfo, filter: string | undefined): boolean =>
  filter === undefined || `${task.group} ${task.name}`.toLowerCase().includes(filter.toLowerCase());

export interface BuiltTasks {
  readonly tasks: MicroTaskDef[];
  /** Releases what the tasks hold (Redis keys and connection). Never throws. */
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly names: ReadonlySet<string>;
  readonly claims: Omit<JwtClaimsConfig, 'jwtAlg'>;
  readonly batch: number;
  readonly inFlight: number;
  /** The Redis to use, or why there is none (then every Redis task is errored with that reason). */
  readonly redis: { readonly url: string } | { readonly error: unknown };
}

/** The selected tasks, set up and ready to add to a tinybench Bench. Setup failures become errored tasks. */
export async function buildTasks(opts: BuildOptions): Promise<BuiltTasks> {
  const wanted = (group: MicroGroup): boolean => microCatalogue(opts.inFlight).some((t) => t.group === group && opts.names.has(t.name));
  const tasks: MicroTaskDef[] = [];
  let close = async (): Promise<void> => {};
  if (wanted('jwt-codec')) tasks.push(...(await jwtTasks(opts.claims)));
  if (wanted('jose-key')) tasks.push(...(await joseTasks(opts.claims)));
  if (wanted('tokens') || wanted('json')) tasks.push(...cpuTasks(opts.batch));
  if (wanted('redis')) {
    if ('error' in opts.redis) {
      const reason = opts.redis.error;
      tasks.push(...redisTaskNames(opts.inFlight).map((name) => failing(name, 'redis', reason)));
    } else {
      const redis = await redisTasks({ url: opts.redis.url, inFlight: opts.inFlight, ttlSec: opts.claims.tokenTtlSec, record: JSON.stringify(storedUserRecord()) });
      tasks.push(...redis.tasks);
      close = redis.close;
    }
  }
  return { tasks: tasks.filter((t) => opts.names.has(t.name)), close };
}
