import { cellKey, loadCellsOf, unitLabel, type LoadCell, type RunResult } from '../result/schema.js';
import { fmtPercent } from './format.js';
import { fitTable, wrapProse } from './fit.js';

const n1 = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const cmds = (byName: Record<string, number>): string =>
  Object.entries(byName)
    .filter(([, v]) => v >= 0.01)
    .map(([k, v]) => `${k.toUpperCase()} ${v.toFixed(2)}`)
    .join(', ') || '–';

/** Column titles of the cost table. */
export const COST_HEAD: readonly string[] = ['scenario', 'strategy', 'Redis cmds/req', 'by command', 'Redis CPU µs/req', 'server CPU µs/req', 'server peak RSS MiB', 'state bytes', 'token bytes', 'request bytes', 'response bytes'];
/** How the cost figures were measured: the title line of the table. */
export const COST_TITLE =
  'cost per request (INFO commandstats and INFO cpu of Redis, process.cpuUsage and socket bytes of the server, around the measured phase only, after a forced GC of the server; state: mean MEMORY USAGE of up to 100 keys after the cell; medians over repetitions)';

/** The cells of one row of the cost table (the terminal, Markdown and HTML tables all use these); undefined without a cost. */
export function costRow(cell: LoadCell): string[] | undefined {
  const c = cell.summary?.cost;
  if (c === undefined) return undefined;
  const state = c.stateKind === 'none' ? '0 (stateless)' : c.stateBytes === null ? `– (no ${c.stateKind} keys)` : `${Math.round(c.stateBytes)} per ${c.stateKind}`;
  return [
    cell.scenario,
    unitLabel(cell),
    c.redisCommandsPerRequest.toFixed(2),
    cmds(c.redisCommandsByName),
    n1(c.redisCpuUsPerRequest),
    n1(c.serverCpuUsPerRequest),
    (c.serverPeakRssBytes / 2 ** 20).toFixed(0),
    state,
    c.tokenBytes === null ? '–' : String(c.tokenBytes),
    c.requestBytes.toFixed(0),
    c.responseBytes.toFixed(0),
  ];
}

/** The cost table split in two for the terminal: the columns of each half, as indices into costRow's cells. */
const TERMINAL_HALVES: readonly { readonly title: string; readonly head: readonly string[]; readonly of: readonly number[]; readonly lists: readonly number[] }[] = [
  { title: 'CPU, memory and state', head: ['scenario', 'design', 'Redis cmds/req', 'Redis CPU µs/req', 'server CPU µs/req', 'server peak RSS MiB', 'state bytes'], of: [0, 1, 2, 4, 5, 6, 7], lists: [6] },
  { title: 'Redis commands and bytes on the wire', head: ['scenario', 'design', 'Redis commands per request', 'token bytes', 'request bytes', 'response bytes'], of: [0, 1, 3, 8, 9, 10], lists: [2] },
];

/** The line under the terminal's cost tables. */
export const COST_SPLIT = 'the cost table is split in two to fit 120 columns (one table in report.md and report.html)';

/**
 * Per-request cost of every load cell: Redis commands and CPU, server CPU and memory, state, bytes; on the terminal in
 * two tables of the same rows, each within 120 columns. Pure.
 */
export function renderCostTable(result: RunResult): string {
  const rows = loadCellsOf(result).map(costRow).filter((r): r is string[] => r !== undefined);
  if (rows.length === 0) return '';
  const tables = TERMINAL_HALVES.map((h) => [h.title, fitTable({ head: h.head, rows: rows.map((r) => h.of.map((i) => r[i] ?? '')), wrap: [1], lists: h.lists })].join('\n'));
  const cache = cacheLine(result);
  return [wrapProse(COST_TITLE), ...tables, COST_SPLIT, ...(cache === undefined ? [] : [wrapProse(cache)])].join('\n');
}

/** fast-jwt's verification cache, when a run turned it on: the share of verifications it served, per cell. */
export function cacheLine(result: RunResult): string | undefined {
  const rates = loadCellsOf(result).flatMap((c) => {
    const rate = c.summary?.cost?.jwtCacheHitRate;
    return rate === undefined || rate === null ? [] : [`${cellKey(c)} ${fmtPercent(rate)}`];
  });
  return rates.length === 0 ? undefined : `JWT verification cache hit rate (fast-jwt --jwt-cache; a pool smaller than the cache is served from it): ${rates.join(', ')}`;
}
