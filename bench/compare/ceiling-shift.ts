import { ceilingKey } from '../aggregate.js';
import type { RunResult } from '../result.js';
import { median } from '../stats.js';
import type { MetricComparison } from './verdict.js';

/**
 * A design's ceiling this much above the baseline's makes its regressions suspect (see guardBusyBaseline).
 * Runners of one class differ by less than this in speed; a busy machine against a quiet one differs by more
 * (+50% to +130% measured here).
 */
export const MAX_CEILING_RISE = 0.3;

/** Current ÷ baseline median ceiling req/s − 1, per ceiling key (design, or design@workers). */
export function ceilingShifts(baseline: RunResult, current: RunResult): Map<string, number> {
  const ceilings = (r: RunResult): Map<string, number> =>
    new Map(
      r.cells
        .filter((c) => c.scenario === 'ceiling')
        .map((c) => [ceilingKey(c), median(c.repetitions.flatMap((x) => (x.status === 'ok' && x.requestsPerSec !== undefined ? [x.requestsPerSec] : [])))]),
    );
  const base = ceilings(baseline);
  const out = new Map<string, number>();
  for (const [key, cur] of ceilings(current)) {
    const b = base.get(key);
    if (b !== undefined && b > 0 && Number.isFinite(cur)) out.set(key, cur / b - 1);
  }
  return out;
}

/**
 * A regression measured against a baseline whose ceiling was far lower is not trusted. Another job on the
 * cores lowers the ceiling (which needs the load generator and the server at once) much more than a CPU-bound
 * cell, so a baseline taken on a busy machine holds inflated ratios, and every quiet run after it looks
 * slower. Such a row becomes "not comparable", with the reason, rather than a regression nobody caused.
 * The other direction (a busier current run) inflates the current ratios: a regression seen through it stands.
 */
export function guardBusyBaseline(row: MetricComparison, shift: number | undefined): MetricComparison {
  if (row.verdict !== 'regressed' || shift === undefined || shift <= MAX_CEILING_RISE) return row;
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const note =
    `would be a regression (${row.change === undefined ? '?' : pct(row.change)}), but the ${ceilingKey(row)} ceiling is +${pct(shift)} above the baseline's: ` +
    'the baseline met a busier machine, which lowers the ceiling more than the cells; take the baseline again at a quiet moment';
  return { ...row, verdict: 'not comparable', note: row.note === undefined ? note : `${note}; ${row.note}` };
}
