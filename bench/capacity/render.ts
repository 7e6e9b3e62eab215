import { median } from '../../lib/stats.js';
import { fitTable, wrapProseLines } from '../render/fit.js';
import { fmtInt, fmtMs } from '../render/format.js';
import type { CapacityDesignResult, CapacityResult } from './run-capacity.js';

/** The answer in words: between the last passing and the first failing rate, or what stopped the search. */
function answerOf(d: CapacityDesignResult): string {
  if (d.error !== undefined) return `ERRORED: ${d.error}`;
  if (d.sustainableRate === null) return d.firstFailingRate === null ? 'no rate measured' : `none passed (lowest tried ${fmtInt(d.firstFailingRate)} req/s: ${d.stoppedBy})`;
  if (d.firstFailingRate === null) return `≥ ${fmtInt(d.sustainableRate)} req/s (every rate passed; the steps ran out)`;
  return `${fmtInt(d.sustainableRate)}–${fmtInt(d.firstFailingRate)} req/s${d.converged ? '' : ' (not converged: the steps ran out)'}`;
}

/** Rates tried per design, and where each design's capacity lies, within 120 columns (cells wrap when wider). Pure. */
export function renderCapacity(result: CapacityResult): string {
  const parts = [result.method.map((m) => `method: ${m}`).join('\n')];
  const summaryHead = ['strategy', `capacity with p99 ≤ ${result.config.sloP99Ms} ms (last passing – first failing rate)`, 'first failure'];
  const summary: string[][] = [];
  for (const d of result.designs) {
    summary.push([d.strategy, answerOf(d), d.firstFailingRate === null ? '–' : d.stoppedBy]);
    // A rate's figures are those of all its repetitions together (merged); results from before have only each repetition's.
    const trialsHead = ['rate', 'answered req/s', 'p99 corrected ms: all (each repetition)', 'p99 uncorrected ms', 'failed', 'repetitions', 'verdict'];
    const trials: string[][] = [];
    for (const t of d.trials) {
      const r = t.repetitions;
      const m = t.merged;
      const uncorrected = r.flatMap((x) => (x.p99UncorrectedMs === null ? [] : [x.p99UncorrectedMs]));
      const each = r.map((x) => fmtMs(x.p99CorrectedMs)).join(' / ');
      trials.push([
        t.again === true ? `${fmtInt(t.rate)} again` : fmtInt(t.rate),
        fmtInt(m?.achievedRps ?? median(r.map((x) => x.achievedRps))),
        m === undefined ? each : `${fmtMs(m.p99CorrectedMs)} (${each})`,
        m !== undefined ? (m.p99UncorrectedMs === null ? '–' : fmtMs(m.p99UncorrectedMs)) : uncorrected.length === 0 ? '–' : fmtMs(median(uncorrected)),
        `${((m?.errorRate ?? Math.max(...r.map((x) => x.errorRate))) * 100).toFixed(2)}%`,
        r.map((x) => x.verdict).join(', '),
        t.again === true ? `${t.verdict} (both tries)` : t.verdict,
      ]);
    }
    parts.push(`${d.strategy} (rates in the order tried; answered, p99s and failed over all the rate's repetitions, or of both tries for "again")\n${fitTable({ head: trialsHead, rows: trials, lists: [2, 5] })}`);
  }
  parts.push(`capacity at a latency target\n${fitTable({ head: summaryHead, rows: summary, wrap: [0], lists: [1] })}`);
  return wrapProseLines(parts.join('\n\n'));
}
