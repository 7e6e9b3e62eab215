import { describeStatistic, fmtChange, fmtInterval, fmtMetric, fmtPercent, fmtStrategy, fmtValue, ceilingLine, noiseLine } from './format.js';
import { cellKey } from '../result/schema.js';
import { exitCodeOf, NOISY_DETECTABLE_DROP, type Comparison, type RunSummary, type Verdict } from './verdict.js';

const escape = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const VERDICT_MD: Readonly<Record<Verdict, string>> = { ok: 'ok', regressed: '**regressed**', improved: 'improved', 'not comparable': '**not comparable**' };
const TITLE = ['✅ no regression', '❌ regression', '⚠️ not comparable'] as const;

const side = (s: RunSummary): string =>
  `${s.startedAt}, git \`${s.gitCommit.slice(0, 10)}\`${s.gitDirty ? ' (dirty)' : ''}, ${escape(s.cpuModel)} × ${s.cpuCount}, Node ${s.node}, load average ${s.loadAverage.join(' ')}${s.redisLatencyMs > 0 ? `, Redis latency +${s.redisLatencyMs} ms` : ''}`;

/**
 * A Markdown summary fit for a pull-request comment or $GITHUB_STEP_SUMMARY: the verdict first, then the
 * regressions and anything not comparable, then the whole table and the method, folded. Pure.
 */
export function renderComparisonMarkdown(c: Comparison, title = 'authbench CI regression gate'): string {
  const out = [`## ${title}: ${TITLE[exitCodeOf(c)]}`, ''];
  if (!c.comparable) {
    out.push('These results cannot be compared; nothing was judged:', '', ...c.problems.map((p) => `- ${escape(p)}`), '');
  } else {
    const flagged = c.rows.filter((r) => r.verdict === 'regressed' || r.verdict === 'not comparable');
    if (flagged.length > 0) {
      out.push(...flagged.map((r) => `- ${cellKey(r)}, ${fmtMetric(r, c.mode)}: ${VERDICT_MD[r.verdict]}${r.change === undefined ? '' : ` ${fmtChange(r)} (${fmtInterval(r)})`}${r.note === undefined ? '' : ` — ${escape(r.note)}`}`), '');
    }
    for (const a of c.allowed) out.push(`Allowed difference: ${escape(a)}`, '');
    out.push(
      `Threshold: throughput ${fmtPercent(c.threshold)}, p99 ${fmtPercent(c.latencyThreshold)}.`,
      '',
      `| scenario | strategy | metric | ${c.mode === 'relative' ? 'base | head' : 'baseline | current'} | change | interval | verdict |`,
      '|---|---|---|---:|---:|---:|---:|---|',
      ...c.rows.map((r) => `| ${r.scenario} | ${fmtStrategy(r)} | ${fmtMetric(r, c.mode)} | ${fmtValue(r, 'baseline', c.mode)} | ${fmtValue(r, 'current', c.mode)} | ${fmtChange(r)} | ${fmtInterval(r)} | ${VERDICT_MD[r.verdict]} |`),
      '',
    );
    for (const p of c.problems) out.push(`- run problem: ${escape(p)}`);
    if (c.onlyInHead !== undefined) out.push(`- only in head, not judged: ${escape(c.onlyInHead.join(', '))}`);
    if (c.problems.length > 0 || c.onlyInHead !== undefined) out.push('');
    if (c.ceilingShift !== undefined) out.push(`${ceilingLine(c.ceilingShift)}.`, '');
    if (c.detectableDrop !== undefined) out.push(`${c.detectableDrop > NOISY_DETECTABLE_DROP ? '⚠️ ' : ''}${noiseLine(c.detectableDrop)}.`, '');
    const notes = c.rows.filter((r) => r.note !== undefined && r.verdict !== 'not comparable');
    if (notes.length > 0) out.push(...notes.map((r) => `- ${cellKey(r)}, ${fmtMetric(r, c.mode)}: ${escape(r.note ?? '')}`), '');
  }
  out.push(
    '<details><summary>How this is measured</summary>',
    '',
    `- ${c.mode === 'relative' ? 'base' : 'baseline'}: ${side(c.baseline)}`,
    `- ${c.mode === 'relative' ? 'head' : 'current'}: ${side(c.current)}`,
    '',
    describeStatistic(c),
    '',
    '</details>',
    '',
  );
  return out.join('\n');
}
