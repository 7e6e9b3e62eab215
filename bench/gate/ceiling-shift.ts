import { ceilingCellsOf, ceilingKey } from '../result/schema.js';
import type { RunResult } from '../result/schema.js';
import { median } from '../../lib/stats.js';
import type { MetricComparison } from './comparison.js';

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
      ceilingCellsOf(r).map((c) => [ceilingKey(c), median(c.repetitions.flatMap((x) => (x.status === 'ok' && x.requestsPerSec !== undefined ? [x.requestsPerSec] : [])))]),
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
 * A regression measured against a baseline whose ceiling was far lower is checked again. Another job on the
 * cores lowers the ceiling (which needs the load generator and the server at once) more than any cell, so a
 * baseline taken on a busy machine holds ratios inflated by at most the factor its ceiling fell, and every
 * quiet run after it looks slower. The interval is widened by that factor (the ceiling's rise): a drop that
 * survives it is a regression all the same (a slower Redis is, at −70%); one that does not becomes "not
 * comparable", with the reason, rather than a regression nobody caused. The other direction (a busier current
 * run) inflates the current ratios: a regression seen through it stands as it is.
 */
export function guardBusyBaseline(row: MetricComparison, shift: number | undefined): MetricComparison {
  if (row.verdict !== 'regressed' || shift === undefined || shift <= MAX_CEILING_RISE || row.low === undefined || row.high === undefined) return row;
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;
  const factor = 1 + shift;
  const survives = row.metric === 'throughput' ? (1 + row.high) * factor < 1 - row.threshold : (1 + row.low) / factor > 1 + row.threshold;
  const why = `the ${ceilingKey(row)} ceiling is ${pct(shift)} above the baseline's (the baseline met a busier machine, which lowers the ceiling more than the cells)`;
  if (survives) return { ...row, note: [`regressed even allowing for ${why}`, row.note].filter((n) => n !== undefined).join('; ') };
  const note = `would be a regression (${pct(row.change ?? NaN)}), but not once allowing for ${why}; take the baseline again at a quiet moment`;
  return { ...row, verdict: 'not comparable', note: [note, row.note].filter((n) => n !== undefined).join('; ') };
}
