import { renderCostTable } from './cost-table.js';
import { renderDecompositionTable } from './decomposition-table.js';
import { renderEqualLoadTable } from './equal-load-table.js';
import { renderOutageTable } from './outage-table.js';
import { renderPropagationTable } from './propagation-table.js';
import { loadCellsOf, scenarioLoadModel, unitLabel, type LoadCell, type RunResult } from '../result/schema.js';
import { failuresCell, fmtInt, fmtIntRange, fmtMs, fmtMsRange, fmtPercent, limitCell, non2xx, refreshNote } from './format.js';
import { BUSY_OTHERS_CPU } from '../measure/limits.js';
import { fitFirst, Footnotes, wrapProse, wrapText, type TableSpec } from './fit.js';

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

/** The notes of one scenario cell: why it errored, a saturated load generator, a busy machine, the refreshes of its sessions. */
export function scenarioNotes(cell: LoadCell): string[] {
  const s = cell.summary;
  const notes: string[] = [];
  if (cell.status === 'errored') notes.push(`ERRORED: ${cell.errors.join('; ')}`);
  if (s?.loadGenerator.saturated) notes.push('load generator saturated');
  const others = s?.limits?.othersCpuPerSec;
  if (others !== undefined && others !== null && others > BUSY_OTHERS_CPU) notes.push(`other processes took ${others.toFixed(2)} of a core (median over repetitions): a busy machine, figures lower than a quiet one's`);
  const refreshes = refreshNote(s?.sessions);
  if (refreshes !== undefined) notes.push(refreshes);
  return notes;
}

/** The cells of one row of a scenario table: the Markdown and HTML tables use these (the terminal its own, narrower). */
export function scenarioRow(cell: LoadCell, withRevoked: boolean): string[] {
  const s = cell.summary;
  const notes = scenarioNotes(cell);
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

/** The terminal's columns of a scenario table, the layouts from widest to narrowest: req/s with its range, or alone. */
function terminalScenarioSpecs(cells: readonly LoadCell[], withRevoked: boolean, notes: Footnotes): TableSpec[] {
  const rows = cells.map((cell) => {
    const s = cell.summary;
    const design = `${unitLabel(cell)}${notes.marks(scenarioNotes(cell))}`;
    if (s === undefined) return { ranged: '–', row: [design, '–', '–', '–', '–', '–', '–', ...(withRevoked ? ['–'] : []), ''] };
    const row = [design, fmtInt(s.requestsPerSec.median), fmtPercent(s.ceilingFraction), fmtMs(s.latencyMs.p50), fmtMs(s.latencyMs.p99), failuresCell(s), String(s.wrongAnswers), ...(withRevoked ? [fmtInt(s.revokedAccepted ?? 0)] : []), limitCell(s)];
    return { ranged: fmtIntRange(s.requestsPerSec), row };
  });
  const head = ['design', 'req/s', '× ceiling', 'p50 ms', 'p99 ms', 'non-2xx, errors', 'wrong answers', ...(withRevoked ? ['revoked accepted'] : []), 'limit'];
  return [
    { head, rows: rows.map((r) => r.row.map((c, i) => (i === 1 ? r.ranged : c))), wrap: [0], lists: [5] },
    { head, rows: rows.map((r) => r.row), wrap: [0], lists: [5] },
  ];
}

/** The line under a table whose req/s range was left out. */
export const RANGE_LEFT_OUT = 'req/s without its min–max over repetitions here, to fit 120 columns (result.json and its report have it)';

/**
 * One table per scenario, a row per design, narrow enough for a terminal of 120 columns: req/s (with its range over
 * repetitions when it fits), × ceiling, p50 and p99, failed and wrong answers, revoked tokens accepted (when counted)
 * and the limit; notes numbered under the table. The other columns (p90, p99.9, max, the latency ranges) are in the
 * report and the JSON. Pure: a function of the result data only.
 */
export function renderScenarioTable(result: RunResult, scenario: string): string {
  const cells = loadCellsOf(result).filter((c) => c.scenario === scenario);
  const notes = new Footnotes();
  const { table, index } = fitFirst(terminalScenarioSpecs(cells, countsRevoked(cells), notes));
  // A throughput test: its latency columns restate the throughput (latency is compared at equal load, below).
  return [wrapProse(`${scenario} · ${scenarioLoadModel(result)}`), table, ...notes.lines(), ...(index > 0 ? [RANGE_LEFT_OUT] : [])].join('\n');
}

/** The line under the header: the terminal shows fewer columns than the report. */
export const FEWER_COLUMNS = 'terminal tables: fewer columns than the report, to fit 120 columns; every column and note is in result.json and its report (report.md, report.html)';

/** The header wrapped for the terminal: every line within 120 columns, the later lines of each indented. */
export const renderTerminalHeader = (result: RunResult): string => wrapText(`${renderHeader(result)}\n${FEWER_COLUMNS}`);

/** The whole terminal report: header, then a table per scenario in run order, then the other tables. */
export function renderTables(result: RunResult): string {
  const scenarios = [...new Set(loadCellsOf(result).map((c) => c.scenario))];
  const extra = [renderEqualLoadTable(result), renderCostTable(result), renderDecompositionTable(result), renderOutageTable(result), renderPropagationTable(result)].filter((t) => t !== '');
  return [renderTerminalHeader(result), ...scenarios.map((s) => renderScenarioTable(result, s)), ...extra].join('\n\n');
}
