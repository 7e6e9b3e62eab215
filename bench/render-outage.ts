import Table from 'cli-table3';
import type { CellResult, RunResult } from './result.js';

const ms = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${Math.round(n)}`);
const pct = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)}%`);

function design(cell: CellResult): string {
  return cell.policy === undefined || cell.policy === 'none' ? cell.strategy : `${cell.strategy} (${cell.policy})`;
}

function row(cell: CellResult): string[] {
  const o = cell.outage;
  if (o === undefined) {
    const why = cell.status === 'skipped' ? `skipped: ${cell.errors.join('; ')}` : `ERRORED: ${cell.errors.join('; ')}`;
    return [cell.fault ?? '?', design(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', why];
  }
  const revoked = `${o.revokedAccepted.before}/${o.revokedAccepted.during}/${o.revokedAccepted.after}`;
  const notes: string[] = [];
  if (o.revokedAccepted.after > 0 && o.expectRevokedRefused) notes.push('revoked tokens accepted again after the fault');
  if (o.sessionsLost > 0) notes.push(`${o.sessionsLost} valid sessions lost`);
  if (!o.expectRevokedRefused) notes.push('cannot revoke');
  return [
    o.fault,
    design(cell),
    pct(o.availability),
    ms(o.timeToDetectMs),
    ms(o.worstLatencyMs),
    String(o.hungRequests),
    `${ms(o.timeToRecoverMs)} / ${ms(o.timeToSustainedMs)}`,
    `${o.lostRequests} (+${o.unknownOutcome} timed out)`,
    revoked,
    String(o.sessionsLost),
    String(o.uncheckedServed),
    cell.load === undefined ? '–' : `${cell.load.rate}/s`,
    notes.join('; '),
  ];
}

/** The fault-summary table: one row per fault and design. Pure: a function of the result data only. */
export function renderOutageTable(result: RunResult): string {
  const cells = result.cells.filter((c) => c.scenario === 'outage');
  if (cells.length === 0) return '';
  const head = ['fault', 'design', 'available during', 'detect ms', 'worst ms', 'hung >1s', 'recover ms first/sustained', 'lost', 'revoked accepted b/d/a', 'sessions lost', 'unchecked', 'rate', 'notes'];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const c of cells) table.push(row(c));
  const rate = result.outageRate === undefined ? '' : ` (open loop at ${result.outageRate.rate} req/s: ${result.outageRate.source})`;
  return `outage${rate}\n${table.toString()}`;
}
