import { performance } from 'node:perf_hooks';
import type { Fn, FnOptions, FnReturnedObject } from 'tinybench';
import type { MicroGroup } from './schema.js';

/** A micro-benchmark before it runs: what tinybench calls, and what one sample stands for. */
export interface MicroTaskDef {
  readonly name: string;
  readonly group: MicroGroup;
  /** Operations per sample: the task reports the time per operation through tinybench's overriddenDuration. */
  readonly opsPerSample: number;
  readonly fn: Fn;
  /** Always says `async` explicitly, so that tinybench makes no exploratory call. */
  readonly options: FnOptions & { async: boolean };
}

/**
 * `n` synchronous calls in a loop, timed as one sample and reported per call: a single randomUUID or JSON.parse
 * (well under a microsecond) is below what one timer read around one call can resolve. Each call returns a number
 * that is summed, so the work cannot be dropped as unused.
 */
export function batched(name: string, group: MicroGroup, n: number, call: () => number): MicroTaskDef {
  return {
    name,
    group,
    opsPerSample: n,
    fn: (): FnReturnedObject => {
      let sum = 0;
      const start = performance.now();
      for (let i = 0; i < n; i++) sum += call();
      const elapsed = performance.now() - start;
      if (sum < 0) throw new Error(`${name}: impossible sum ${sum}`);
      return { overriddenDuration: elapsed / n, overriddenIterationCost: elapsed };
    },
    options: { async: false },
  };
}

/** A task that could not be set up: it fails on its first call, so tinybench records it as errored, with the reason. */
export function failing(name: string, group: MicroGroup, reason: unknown): MicroTaskDef {
  const message = reason instanceof Error ? reason.message : String(reason);
  return {
    name,
    group,
    opsPerSample: 1,
    fn: () => {
      throw new Error(`setup failed: ${message}`);
    },
    options: { async: false },
  };
}
