/**
 * The verdict in words, for the end of `authbench run` on a terminal: one line per trade-off, who wins it on this run
 * and the winner's evidence, from the same rules as the report's verdict table (findings.ts). Pure.
 */
import type { RunResult } from '../result/schema.js';
import { computeVerdict } from './findings.js';

/** Longest line printed: a terminal of 120 columns shows each line whole. */
export const VERDICT_WIDTH = 120;

const clip = (line: string): string => (line.length <= VERDICT_WIDTH ? line : `${line.slice(0, VERDICT_WIDTH - 1)}…`);

export function renderVerdictText(result: RunResult): string {
  const v = computeVerdict(result);
  const width = Math.max(...v.rows.map((r) => r.title.length));
  const lines = v.rows.map((r) => {
    const only = r.winners.length === 1 ? r.winners[0] : undefined;
    const why = only === undefined ? '' : ` (${r.evidence[only] ?? ''})`;
    return clip(`  ${r.title.padEnd(width)}  ${r.winner}${why}`);
  });
  return ['verdict on this run (the rules and every design\'s evidence: report.html, "Verdict on this run"):', ...lines].join('\n');
}
