import type { PropagationCell, RunResult } from '../result/schema.js';
import { fmtInt, fmtMs } from './format.js';
import { fitTable, Footnotes, wrapProse } from './fit.js';

/** Column titles of the propagation table (it fits 120 columns; the per-logout detail is in the JSON). */
export const PROPAGATION_HEAD: readonly string[] = ['design', 'revocation', 'load', 'refused everywhere', 'delay p50 ms', 'p99 ms', 'max ms', 'accepted after logout', 'undone', 'notes'];

/** The notes of one propagation cell: why it errored, tokens still accepted at the end of the window, odd answers. */
export function propagationNotes(cell: PropagationCell): string[] {
  const s = cell.summary;
  if (s === undefined) return [`ERRORED: ${cell.errors.join('; ')}`];
  const notes: string[] = [];
  if (s.notRefusedInWindow > 0) notes.push(`${s.notRefusedInWindow} still accepted ${(s.window.ms / 1000).toFixed(1)} s after logout`);
  if (s.otherAnswers > 0) notes.push(`${s.otherAnswers} other answers`);
  if (cell.errors.length > 0) notes.push(cell.errors.join('; '));
  if (cell.load !== undefined && cell.load.achievedRps < 0.9 * cell.loadRps) notes.push(`load reached ${fmtInt(cell.load.achievedRps)}/s`);
  return notes;
}

/** The cells of one row: the Markdown and HTML tables use these; the terminal numbers the notes under the table. */
export function propagationRow(cell: PropagationCell, revocation: string): string[] {
  const s = cell.summary;
  const load = cell.loadRps === 0 ? 'idle' : `${fmtInt(cell.loadRps)}/s`;
  const notes = propagationNotes(cell).join('; ');
  if (s === undefined) return [cell.strategy, revocation, load, '–', '–', '–', '–', '–', '–', notes];
  const probed = s.logouts - s.failed;
  return [
    cell.strategy,
    revocation,
    load,
    `${s.refusedEverywhere}/${probed}`,
    fmtMs(s.delayMs.p50),
    fmtMs(s.delayMs.p99),
    fmtMs(s.delayMs.max),
    `${fmtInt(s.acceptedAfterAck)} (≤${fmtInt(s.maxAcceptedAfterOneLogout)}/logout)`,
    String(s.acceptedAfterRefusal),
    notes,
  ];
}

/** The caption: what one row is, and the resolution of its times. */
export function propagationTitle(result: RunResult): string {
  const cells = result.propagation ?? [];
  const rtts = cells.flatMap((c) => (c.summary?.pollRoundTripMs == null ? [] : [c.summary.pollRoundTripMs]));
  const instances = cells[0]?.instances ?? 2;
  return (
    `propagation: logout on 1 of ${instances} instances (shared key and Redis), the token then polled on the other${instances > 2 ? 's' : ''}; ` +
    `idle, then with the polled instances serving a paced GET /me load; delay = from the logout's 204 until the last instance refused ` +
    `(resolution: one poll, median up to ${rtts.length === 0 ? '–' : fmtMs(Math.max(...rtts))} ms, for the first 100 ms; 10 ms after)`
  );
}

/** The propagation table, or '' when the run has none; on the terminal the notes are numbered under it. Pure. */
export function renderPropagationTable(result: RunResult): string {
  const cells = result.propagation ?? [];
  if (cells.length === 0) return '';
  const notes = new Footnotes();
  const rows = cells.map((c) => {
    const r = propagationRow(c, result.designs[c.strategy]?.traits.revocation ?? '?');
    return [`${r[0] ?? ''}${notes.marks(propagationNotes(c))}`, ...r.slice(1, -1)];
  });
  return [wrapProse(propagationTitle(result)), fitTable({ head: PROPAGATION_HEAD.slice(0, -1), rows, wrap: [0] }), ...notes.lines()].join('\n');
}
