import Table from 'cli-table3';
import { renderCostTable } from './cost-table.js';
import { renderDecompositionTable } from './decomposition-table.js';
import { renderEqualLoadTable } from './equal-load-table.js';
import { renderOutageTable } from './outage-table.js';
import { renderPropagationTable } from './propagation-table.js';
import { loadCellsOf, unitLabel, type LoadCell, type RunResult } from '../result/schema.js';
import { fmtInt, fmtMs, fmtMsRange, fmtPercent, limitCell, non2xx, refreshNote } from './format.js';

export { non2xx } from './format.js';

/** The header printed above the tables: environment and method, so no number travels without them. */
export function renderHeader(result: RunResult): string {
  const e = result.environment;
  const lines = [
    `authbench ${e.authbenchVersion} · ${e.date} · git ${e.gitCommit.slice(0, 10)}${e.gitDirty ? ' (dirty)' : ''} · status: ${result.status}`,
    `machine: ${e.cpuModel} × ${e.cpuCount}, ${e.totalMemoryMiB} MiB, ${e.platform} ${e.arch}, load average ${e.loadAverage.join(' ')}`,
    `software: Node ${e.node}, Redis ${e.redisVersion} (${e.redisSource}), ${Object.entries(e.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...result.method.map((m) => `method: ${m}`),
  ];
  return lines.join('\n');
}

export { limitCell } from './format.js';

/** Column titles of a scenario table (the revocation table has one more). */
export function scenarioHead(withRevoked: boolean): string[] {
  return ['strategy', 'req/s', 'range', '× ceiling', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'non-2xx', 'err/timeout', 'wrong', ...(withRevoked ? ['revoked accepted'] : []), 'limit', 'notes'];
}

/** The cells of one row of a scenario table: the terminal, Markdown and HTML tables all use these. */
export function scenarioRow(cell: LoadCell, withRevoked: boolean): string[] {
  const s = cell.summary;
  const notes: string[] = [];
  if (cell.status === 'errored') notes.push(`ERRORED: ${cell.errors.join('; ')}`);
  if (s?.loadGenerator.saturated) notes.push('load generator saturated');
  const refreshes = refreshNote(s?.sessions);
  if (refreshes !== undefined) notes.push(refreshes);
  if (s === undefined) {
    return [unitLabel(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', ...(withRevoked ? ['–'] : []), '', notes.join('; ')];
  }
  const r = s.requestsPerSec;
  return [
    unitLabel(cell),
    fmtInt(r.median),
    `${fmtInt(r.min)}–${fmtInt(r.max)}`,
    fmtPercent(s.ceilingFraction),
    fmtMsRange(s.latencyMs.p50, s.latencySpread?.p50),
    fmtMs(s.latencyMs.p90),
    fmtMsRange(s.latencyMs.p99, s.latencySpread?.p99),
    fmtMs(s.latencyMs.p999),
    fmtMs(s.latencyMs.max),
    non2xx(s.statusCounts),
    `${s.errors}/${s.timeouts}`,
    String(s.wrongAnswers),
    ...(withRevoked ? [`${s.revokedAccepted ?? 0}`] : []),
    limitCell(s),
    notes.join('; '),
  ];
}

/** True when the scenario counts revoked tokens accepted (its expectation says which answer that is): one more column. */
export const countsRevoked = (cells: readonly LoadCell[]): boolean => cells.some((c) => c.summary?.revokedAccepted !== undefined);

/** One table per scenario, a row per strategy. Pure: a function of the result data only. */
export function renderScenarioTable(result: RunResult, scenario: string): string {
  const cells = loadCellsOf(result).filter((c) => c.scenario === scenario);
  const withRevoked = countsRevoked(cells);
  const table = new Table({ head: scenarioHead(withRevoked), style: { head: [], border: [] } });
  for (const cell of cells) table.push(scenarioRow(cell, withRevoked));
  // A throughput test: its latency columns restate the throughput (latency is compared at equal load, below).
  return `${scenario} · throughput, closed loop\n${table.toString()}`;
}

/** The whole terminal report: header, then a table per scenario in run order. */
export function renderTables(result: RunResult): string {
  const scenarios = [...new Set(loadCellsOf(result).map((c) => c.scenario))];
  const extra = [renderEqualLoadTable(result), renderCostTable(result), renderDecompositionTable(result), renderOutageTable(result), renderPropagationTable(result)].filter((t) => t !== '');
  return [renderHeader(result), ...scenarios.map((s) => renderScenarioTable(result, s)), ...extra].join('\n\n');
}
