import { fitTable, wrapProse, wrapProseLines } from '../render/fit.js';
import { describeStatistic, fmtChange, fmtInterval, fmtMetric, fmtPercent, fmtStrategy, fmtValue, VERDICT_MARK } from './format.js';
import { ceilingLine, noiseLine } from './format.js';
import { cellKey } from '../result/schema.js';
import type { Comparison, RunSummary } from './verdict.js';

const side = (name: string, s: RunSummary): string =>
  `${name}: ${s.startedAt} · git ${s.gitCommit.slice(0, 10)}${s.gitDirty ? ' (dirty)' : ''} · ${s.cpuModel} × ${s.cpuCount} · Node ${s.node} · load average ${s.loadAverage.join(' ')}${s.redisLatencyMs > 0 ? ` · Redis latency +${s.redisLatencyMs} ms` : ''}`;

/**
 * The terminal report of a comparison: who is compared, the table, the notes, in lines of at most 120 columns (the
 * table's titles and names wrap inside their cells; summary.md and comparison.json keep every line whole). Pure.
 */
export function renderComparisonTable(c: Comparison): string {
  return wrapProseLines(comparisonLines(c).join('\n'));
}

function comparisonLines(c: Comparison): string[] {
  const relative = c.mode === 'relative';
  const lines = [side(relative ? 'base' : 'baseline', c.baseline), side(relative ? 'head' : 'current ', c.current)];
  if (!c.comparable) {
    lines.push('', 'NOT COMPARABLE: these results cannot be compared, nothing was judged:', ...c.problems.map((p) => wrapProse(`  - ${p}`, undefined, 4)));
    return lines;
  }
  for (const a of c.allowed) lines.push(`allowed difference (--allow-difference): ${a}`);
  const statistic = relative ? `paired: ${c.pairs ?? '?'} pairs (${c.order ?? ''}), Hodges–Lehmann shift with its signed-rank interval` : `${fmtPercent(c.confidence)} bootstrap interval of the change`;
  lines.push(`threshold: throughput ${fmtPercent(c.threshold)}, p99 ${fmtPercent(c.latencyThreshold)}; ${statistic}`);
  const head = ['scenario', 'strategy', 'metric', relative ? 'base' : 'baseline', relative ? 'head' : 'current', 'change', 'interval', 'verdict'];
  const rows = c.rows.map((r) => [r.scenario, fmtStrategy(r), fmtMetric(r, c.mode), fmtValue(r, 'baseline', c.mode), fmtValue(r, 'current', c.mode), fmtChange(r), fmtInterval(r), VERDICT_MARK[r.verdict]]);
  lines.push(fitTable({ head, rows, wrap: [1, 2] }));
  for (const p of c.problems) lines.push(`run problem: ${p}`);
  if (c.onlyInHead !== undefined) lines.push(`only in head, not judged: ${c.onlyInHead.join(', ')}`);
  if (c.ceilingShift !== undefined) lines.push(ceilingLine(c.ceilingShift));
  if (c.detectableDrop !== undefined) lines.push(noiseLine(c.detectableDrop));
  const notes = c.rows.filter((r) => r.note !== undefined).map((r) => wrapProse(`  - ${cellKey(r)}, ${fmtMetric(r, c.mode)}: ${r.note ?? ''}`, undefined, 4));
  if (notes.length > 0) lines.push('notes:', ...notes);
  lines.push(describeStatistic(c));
  return lines;
}

