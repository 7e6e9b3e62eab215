/**
 * The verdict in words, for the end of `authbench run` on a terminal: one entry per trade-off, who wins it on this run
 * and the winner's evidence, from the same rules as the report's verdict table (findings.ts). Pure.
 */
import { columns, TERMINAL_WIDTH, wrapProse, wrapWords } from '../render/fit.js';
import type { RunResult } from '../result/schema.js';
import { computeVerdict } from './findings.js';

/** Longest line printed: a terminal of 120 columns shows each line whole. */
export const VERDICT_WIDTH = TERMINAL_WIDTH;

/**
 * The verdict: a line per row of the report's verdict table, its title then its winner; a row longer than the
 * terminal goes on under the winner, wrapped at spaces (nothing is cut).
 */
export function renderVerdictText(result: RunResult): string {
  const v = computeVerdict(result);
  const width = Math.max(...v.rows.map((r) => columns(r.title)));
  const lead = `  ${' '.repeat(width)}  `;
  // The winners' column starts after the titles; on a terminal too narrow for that, it starts under them.
  const hang = columns(lead) <= VERDICT_WIDTH / 2 ? columns(lead) : 4;
  const lines = v.rows.map((r) => {
    const only = r.winners.length === 1 ? r.winners[0] : undefined;
    const why = only === undefined ? '' : ` (${r.evidence[only] ?? ''})`;
    const title = `  ${r.title}${' '.repeat(width - columns(r.title))}  `;
    const [first = '', ...rest] = wrapWords(`${r.winner}${why}`, VERDICT_WIDTH - hang);
    const head = columns(title) + columns(first) <= VERDICT_WIDTH ? [`${title}${first}`] : [`  ${r.title}`, `${' '.repeat(hang)}${first}`];
    return [...head, ...rest.map((l) => `${' '.repeat(hang)}${l}`)].join('\n');
  });
  return [wrapProse('verdict on this run (the rules and every design\'s evidence: report.html, "Verdict on this run"):', VERDICT_WIDTH), ...lines].join('\n');
}
