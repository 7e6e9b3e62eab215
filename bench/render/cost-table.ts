import Table from 'cli-table3';
import { cellKey, loadCellsOf, unitLabel, type LoadCell, type RunResult } from '../result/schema.js';
import { fmtPercent } from './format.js';

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

/** Per-request cost of every load cell: Redis commands and CPU, server CPU and memory, state, bytes. Pure. */
export function renderCostTable(result: RunResult): string {
  const rows = loadCellsOf(result).map(costRow).filter((r): r is string[] => r !== undefined);
  if (rows.length === 0) return '';
  const table = new Table({ head: [...COST_HEAD], style: { head: [], border: [] } });
  for (const r of rows) table.push(r);
  const cache = cacheLine(result);
  return [COST_TITLE, table.toString(), ...(cache === undefined ? [] : [cache])].join('\n');
}

/** fast-jwt's verification cache, when a run turned it on: the share of verifications it served, per cell. */
export function cacheLine(result: RunResult): string | undefined {
  const rates = loadCellsOf(result).flatMap((c) => {
    const rate = c.summary?.cost?.jwtCacheHitRate;
    return rate === undefined || rate === null ? [] : [`${cellKey(c)} ${fmtPercent(rate)}`];
  });
  return rates.length === 0 ? undefined : `JWT verification cache hit rate (fast-jwt --jwt-cache; a pool smaller than the cache is served from it): ${rates.join(', ')}`;
}
