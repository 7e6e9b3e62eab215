/**
 * Whether a run met a quiet machine, for `authbench baseline`: a baseline taken while other jobs ran holds figures
 * that every later quiet run beats or misses by the other jobs' share. Pure.
 *
 * The direct measure is what other processes took while the run measured: each throughput repetition records the
 * machine's busy CPU minus the server's, Redis's and the runner's (`limits.othersCpuPerSec`, from /proc; steal time
 * of a virtual machine counts as busy). On this project's 2-core machine, with nothing else running, it was
 * 0–0.18 of a core per 1 s window (median 0.03 over the 120 windows of a bench:ci run), and 0.29 in one.
 *
 * The ceiling's spread between repetitions was the proxy before that figure existed, and stays the rule where /proc
 * is missing; on that machine it refused a quiet moment, because a 1 s ceiling there varies about 2× with nothing
 * else running (jwt 19.6k–27.7k, redis-token 20.1k–37.7k req/s, the server at 1.0 core each time).
 */
import { median } from '../../lib/stats.js';
import { BUSY_OTHERS_CPU } from '../measure/limits.js';
import { ceilingCellsOf, loadCellsOf, unitLabel, type RunResult } from '../result/schema.js';

export { BUSY_OTHERS_CPU } from '../measure/limits.js';
/** Without /proc: a ceiling whose fastest repetition beat its slowest by more than this factor. */
export const UNEVEN_CEILING = 1.5;

export interface OthersCpu {
  /** Median and largest CPU per second of other processes over the run's measured windows. */
  readonly median: number;
  readonly max: number;
  /** The window of the largest: `scenario × design, repetition n`. */
  readonly maxAt: string;
  readonly windows: number;
}

export interface QuietCheck {
  /** Undefined where no window knew it (no /proc, or a result from before the figure). */
  readonly others: OthersCpu | undefined;
  readonly unevenCeilings: readonly { readonly design: string; readonly min: number; readonly max: number }[];
  /** What decides: the others' median where known, else the ceilings' spread. */
  readonly busy: boolean;
}

export function othersCpuOf(result: Pick<RunResult, 'cells'>): OthersCpu | undefined {
  const windows = loadCellsOf(result).flatMap((c) =>
    c.repetitions.flatMap((r) => {
      const v = r.status === 'ok' ? r.limits?.othersCpuPerSec : undefined;
      return v === undefined || v === null ? [] : [{ v, at: `${c.scenario} × ${unitLabel(c)}, repetition ${r.index + 1}` }];
    }),
  );
  if (windows.length === 0) return undefined;
  const top = windows.reduce((a, b) => (b.v > a.v ? b : a));
  return { median: median(windows.map((w) => w.v)), max: top.v, maxAt: top.at, windows: windows.length };
}

export function quietCheck(result: Pick<RunResult, 'cells'>): QuietCheck {
  const others = othersCpuOf(result);
  const unevenCeilings = ceilingCellsOf(result).flatMap((c) => {
    const rps = c.repetitions.flatMap((r) => (r.status === 'ok' && r.requestsPerSec !== undefined ? [r.requestsPerSec] : []));
    if (rps.length === 0) return [];
    const min = Math.min(...rps);
    const max = Math.max(...rps);
    return max > UNEVEN_CEILING * min ? [{ design: unitLabel(c), min, max }] : [];
  });
  return { others, unevenCeilings, busy: others === undefined ? unevenCeilings.length > 0 : others.median > BUSY_OTHERS_CPU };
}

/** What `authbench baseline` says about it, one line each. */
export function quietLines(check: QuietCheck): string[] {
  const cores = (x: number): string => `${x.toFixed(2)} of a core`;
  const lines: string[] = [];
  const o = check.others;
  if (o !== undefined) {
    lines.push(`other processes used ${cores(o.median)} while it measured (median over ${o.windows} windows; at most ${cores(o.max)}, in ${o.maxAt})${check.busy ? `: more than ${cores(BUSY_OTHERS_CPU)}, a busy machine` : ''}`);
  }
  for (const c of check.unevenCeilings) {
    const range = `the ${c.design} ceiling ranged ${Math.round(c.min)}–${Math.round(c.max)} req/s between repetitions`;
    lines.push(
      o === undefined
        ? `${range}: the machine was busy (other processes cannot be measured here: no /proc). A busy machine lowers the ceiling more than the cells, so later quiet runs would look slower than this baseline.`
        : `${range}${check.busy ? '' : ' with little else running: a 1 s ceiling varies that much on this machine, and the gate reads its median'}`,
    );
  }
  return lines;
}
