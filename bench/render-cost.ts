import Table from 'cli-table3';
import type { RunResult } from './result.js';

const n1 = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const cmds = (byName: Record<string, number>): string =>
  Object.entries(byName)
    .filter(([, v]) => v >= 0.01)
    .map(([k, v]) => `${k.toUpperCase()} ${v.toFixed(2)}`)
    .join(', ') || '–';

/** Per-request cost of every load cell: Redis commands and CPU, server CPU and memory, state, bytes. Pure. */
export function renderCostTable(result: RunResult): string {
  const cells = result.cells.filter((c) => c.summary?.cost !== undefined);
  if (cells.length === 0) return '';
  const head = ['scenario', 'strategy', 'Redis cmds/req', 'by command', 'Redis CPU µs/req', 'server CPU µs/req', 'server peak RSS MiB', 'state bytes', 'token bytes', 'request bytes', 'response bytes'];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const cell of cells) {
    const c = cell.summary?.cost;
    if (c === undefined) continue;
    const state = c.stateKind === 'none' ? '0 (stateless)' : c.stateBytes === null ? `– (no ${c.stateKind} keys)` : `${Math.round(c.stateBytes)} per ${c.stateKind}`;
    table.push([
      cell.scenario,
      cell.strategy,
      c.redisCommandsPerRequest.toFixed(2),
      cmds(c.redisCommandsByName),
      n1(c.redisCpuUsPerRequest),
      n1(c.serverCpuUsPerRequest),
      (c.serverPeakRssBytes / 2 ** 20).toFixed(0),
      state,
      c.tokenBytes === null ? '–' : String(c.tokenBytes),
      c.requestBytes.toFixed(0),
      c.responseBytes.toFixed(0),
    ]);
  }
  return [
    'cost per request (INFO commandstats and INFO cpu of Redis, process.cpuUsage and socket bytes of the server, around the measured phase only; state: mean MEMORY USAGE of up to 100 keys after the cell; medians over repetitions)',
    table.toString(),
  ].join('\n');
}
