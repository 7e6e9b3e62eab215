/** The method part of a report: the run's options as a table, and what its numbers do not mean. Pure. */
import { legacyRateOf, loadCellsOf, type LoadCell, type RunResult } from '../result/schema.js';
import { loadScenariosOf } from './model.js';

/** Options that say where files went on the machine that ran, not how it measured. */
const NOT_METHOD = new Set(['outDir', 'jsonFile']);

function show(value: unknown): string {
  if (value === undefined) return '–';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `[option, value]` for every resolved option of the run; a Redis URL is not shown (it may hold a password). */
export function configRows(result: RunResult): string[][] {
  const config = (result.config ?? {}) as unknown as Record<string, unknown>;
  return Object.entries(config)
    .filter(([k]) => !NOT_METHOD.has(k))
    .map(([k, v]) => [k, k === 'redisUrl' ? (v === undefined || v === null ? 'none: Redis started by authbench' : 'given (not shown)') : show(v)]);
}

/** The designs that wait for Redis on every validate request (as the run recorded their traits), in words. */
function flattered(result: RunResult): string {
  const names = Object.entries(result.designs ?? {}).filter(([, d]) => d.traits.storeCommandsPerValidate > 0).map(([n]) => n);
  return names.length === 0 ? 'any design that waits for Redis' : names.join(' and ');
}

/**
 * What the numbers of this run do not mean, from what the result records: the machine, where Redis was, the
 * repetitions, the load model, and anything that went wrong. Each sentence appears only when it applies.
 */
export function caveats(result: RunResult): string[] {
  const e = result.environment;
  const c = result.config;
  const out: string[] = [];
  out.push(
    `One machine (${e.cpuModel} × ${e.cpuCount}, ${e.totalMemoryMiB} MiB): the load generator, the servers and Redis share its ${e.cpuCount} cores, so absolute req/s do not carry over to another machine; the × ceiling fraction (the same server's GET /health in the same run) carries over better.`,
  );
  if (c.redisUrl === undefined) {
    const rt = result.redisRoundTrip;
    const measured =
      rt === undefined ? '' : ` (a PING's round trip measured p50 ${rt.proxiedMs.p50.toFixed(3)} ms, p99 ${rt.proxiedMs.p99.toFixed(3)} ms through it; p50 ${rt.directMs.p50.toFixed(3)} ms, p99 ${rt.directMs.p99.toFixed(3)} ms direct)`;
    const latency = c.redisLatencyMs > 0 ? ` This run added ${c.redisLatencyMs} ms to every Redis reply through a proxy${measured}.` : '';
    out.push(
      `Redis ${e.redisVersion} (${e.redisSource}) ran on loopback: a round trip of about 0.1 ms, much less than to a Redis on another host (0.3–2 ms), which flatters ${flattered(result)}.${latency}`,
    );
  } else {
    out.push(`Redis ${e.redisVersion} was given by URL: how far it was from the servers is not recorded.`);
  }
  out.push(
    c.repeat === 1
      ? '1 repetition per cell: there is no min–max range, so a difference between designs may be noise.'
      : `${c.repeat} repetitions per cell: differences within the min–max ranges are noise.`,
  );
  const load = loadScenariosOf(result);
  if (load.length > 0) {
    out.push(
      legacyRateOf(c) === undefined
        ? `Closed loop (${c.connections} connections): latency is measured at full throughput, not at a given load.`
        : `Open loop at ${legacyRateOf(c)} req/s: latency at that load (corrected for coordinated omission), throughput capped by the rate.`,
    );
    out.push(
      result.upgradedFrom === 1
        ? 'Latency percentiles are whole milliseconds, as autocannon recorded them in version 1 of the result file (0 is under a millisecond).'
        : "The closed-loop cells are throughput tests: at saturation their latency restates the throughput (Little's law: mean latency ≈ connections ÷ req/s); latency is compared at equal offered load.",
    );
  }
  if (load.includes('login')) out.push('Login does no password hashing on purpose: it would dominate and be the same for all three designs.');
  if (c.quick) out.push('A --quick smoke run: short cells and small token pools, to check the plumbing rather than to compare designs.');
  if (result.status !== 'complete') out.push(`The run is ${result.status}: only the cells it finished are here.`);
  const saturated = loadCellsOf(result).filter((cell) => cell.summary?.loadGenerator.saturated === true).length;
  if (saturated > 0) out.push(`The load generator was saturated in ${saturated} cell(s) (marked in the tables): there it, not the server, may have set the pace.`);
  const limited = limitCounts(loadCellsOf(result));
  if (limited !== '') out.push(`What limited the load cells (the limit column): ${limited}.`);
  const failed = result.cells.filter((cell) => cell.status !== 'ok').length;
  if (failed > 0) out.push(`${failed} cell(s) errored or were skipped: their rows say why.`);
  if (e.gitDirty) out.push('The code had uncommitted changes (git dirty): the commit alone does not reproduce this run.');
  return out;
}

/** `server-bound in 4, machine-bound in 2`: each cell's limit label, counted; empty when no cell recorded one. */
function limitCounts(cells: readonly LoadCell[]): string {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const label = cell.summary?.limits?.label;
    if (label !== undefined) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].sort(([, a], [, b]) => b - a).map(([label, n]) => `${label} in ${n}`).join(', ');
}
