import Table from 'cli-table3';
import { describeStatistic, fmtChange, fmtInterval, fmtMetric, fmtPercent, fmtStrategy, fmtValue, VERDICT_MARK } from './format.js';
import { ceilingLine, noiseLine } from './format.js';
import { cellKey } from '../result/schema.js';
import type { Comparison, RunSummary } from './verdict.js';

const side = (name: string, s: RunSummary): string =>
  `${name}: ${s.startedAt} · git ${s.gitCommit.slice(0, 10)}${s.gitDirty ? ' (dirty)' : ''} · ${s.cpuModel} × ${s.cpuCount} · Node ${s.node} · load average ${s.loadAverage.join(' ')}${s.redisLatencyMs > 0 ? ` · Redis latency +${s.redisLatencyMs} ms` : ''}`;

/** The terminal report of a comparison: who is compared, the table, the notes. Pure. */
export function renderComparisonTable(c: Comparison): string {
  const lines = [side('baseline', c.baseline), side('current ', c.current)];
  if (!c.comparable) {
    lines.push('', 'NOT COMPARABLE: these results cannot be compared, nothing was judged:', ...c.problems.map((p) => `  - ${p}`));
    return lines.join('\n');
  }
  for (const a of c.allowed) lines.push(`allowed difference (--allow-difference): ${a}`);
  lines.push(`threshold: throughput ${fmtPercent(c.threshold)}, p99 ${fmtPercent(c.latencyThreshold)}; ${fmtPercent(c.confidence)} bootstrap interval of the change`);
  const table = new Table({ head: ['scenario', 'strategy', 'metric', 'baseline', 'current', 'change', 'interval', 'verdict'], style: { head: [], border: [] } });
  for (const r of c.rows) table.push([r.scenario, fmtStrategy(r), fmtMetric(r), fmtValue(r, 'baseline'), fmtValue(r, 'current'), fmtChange(r), fmtInterval(r), VERDICT_MARK[r.verdict]]);
  lines.push(table.toString());
  if (c.ceilingShift !== undefined) lines.push(ceilingLine(c.ceilingShift));
  if (c.detectableDrop !== undefined) lines.push(noiseLine(c.detectableDrop));
  const notes = c.rows.filter((r) => r.note !== undefined).map((r) => `  - ${cellKey(r)}, ${fmtMetric(r)}: ${r.note ?? ''}`);
  if (notes.length > 0) lines.push('notes:', ...notes);
  lines.push(describeStatistic(c.confidence, c.resamples));
  return lines.join('\n');
}

