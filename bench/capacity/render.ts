import Table from 'cli-table3';
import { fmtMs } from '../render/format.js';
import type { CapacityResult } from './run-capacity.js';

const ms = fmtMs;

/** Steps per design, and the highest sustainable rate with why the search stopped. Pure. */
export function renderCapacity(result: CapacityResult): string {
  const parts = [...result.method.map((m) => `method: ${m}`)];
  const summary = new Table({ head: ['strategy', `highest rate with p99 ≤ ${result.config.sloP99Ms} ms`, 'stopped by'], style: { head: [], border: [] } });
  for (const d of result.designs) {
    summary.push([d.strategy, d.sustainableRate === null ? '–' : `${d.sustainableRate} req/s`, d.error ?? (d.stoppedBy === 'generator-limited' ? 'the load generator could not send the next rate' : d.stoppedBy)]);
    const steps = new Table({ head: ['rate', 'answered req/s', 'p99 corrected ms', 'p99 uncorrected ms', 'failed', 'verdict'], style: { head: [], border: [] } });
    for (const s of d.steps) steps.push([s.rate, Math.round(s.achievedRps), ms(s.p99CorrectedMs), ms(s.p99UncorrectedMs), `${(s.errorRate * 100).toFixed(2)}%`, s.verdict]);
    parts.push(`${d.strategy}\n${steps.toString()}`);
  }
  parts.push(`capacity at a latency target\n${summary.toString()}`);
  return parts.join('\n\n');
}
