/**
 * Read-only views of a result file that the report needs: which designs and scenarios it has, the figures of
 * one cell, the optional cost figures, and labels. Pure functions of the result data.
 */
import { cellOf, loadCellOf, loadCellsOf, measuredCellsOf, outageCellsOf, type LoadCell, type RunResult } from '../result/schema.js';
import type { TimelineBucket } from '../measure/outage.js';
import { LOAD_SCENARIO_NAMES, scenarios } from '../../scenarios/index.js';

/** The designs of a run, in the order the run was asked for, then any other found in its cells. */
export function designsOf(result: RunResult): string[] {
  const configured = Array.isArray(result.config?.strategies) ? [...result.config.strategies] : [];
  return [...new Set<string>([...configured, ...result.cells.map((c) => c.strategy)])];
}

/** The throughput scenarios of a run (every one but outage), in run order, the ceiling first when present. */
export function loadScenariosOf(result: RunResult): string[] {
  return [...new Set(loadCellsOf(result).map((c) => c.scenario))];
}

/** The scenarios measured against the ceiling (every throughput scenario but the ceiling itself), in run order. */
export function measuredScenariosOf(result: RunResult): string[] {
  return [...new Set(measuredCellsOf(result).map((c) => c.scenario))];
}

export { cellOf, loadCellOf, outageCellsOf };

/** The faults of the outage cells, in run order. */
export const faultsOf = (result: RunResult): string[] => [...new Set(outageCellsOf(result).map((c) => c.fault))];

/** The value of `--jwt-alg` the servers ran with (from config.serverArgs); undefined when not recorded. */
export function jwtAlgOf(result: RunResult): string | undefined {
  const args = Array.isArray(result.config?.serverArgs) ? result.config.serverArgs : [];
  const i = args.indexOf('--jwt-alg');
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * One short label per result, for the section titles and the charts across runs: the `--jwt-alg` value when
 * every result has a different one, else `run N` (with the algorithm when known).
 */
export function runLabels(results: readonly RunResult[]): string[] {
  const algs = results.map(jwtAlgOf);
  const distinct = algs.every((a) => a !== undefined) && new Set(algs).size === algs.length;
  return results.map((_, i) => (distinct ? (algs[i] as string) : `run ${i + 1}${algs[i] === undefined ? '' : ` (${algs[i]})`}`));
}

/**
 * Per-request cost figures of a cell (`summary.cost`, written by runs that measure it). Every field is read
 * defensively: older result files have no cost at all, and a figure that is not a finite number is left out.
 */
export interface CostFigures {
  readonly redisCommandsPerRequest?: number;
  readonly redisCpuUsPerRequest?: number;
  readonly serverCpuUsPerRequest?: number;
  /** Bytes in Redis per session (redis-token) or per revoked token (jwt-blacklist); 0 for a stateless design. */
  readonly stateBytes?: number;
  readonly stateKind?: string;
  readonly tokenBytes?: number;
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function costOf(cell: LoadCell | undefined): CostFigures | undefined {
  const raw = (cell?.summary as { cost?: unknown } | undefined)?.cost;
  if (raw === null || typeof raw !== 'object') return undefined;
  const c = raw as Record<string, unknown>;
  const out: Record<string, number | string> = {};
  for (const k of ['redisCommandsPerRequest', 'redisCpuUsPerRequest', 'serverCpuUsPerRequest', 'stateBytes', 'tokenBytes'] as const) {
    const v = finite(c[k]);
    if (v !== undefined) out[k] = v;
  }
  if (typeof c['stateKind'] === 'string') out['stateKind'] = c['stateKind'];
  return out as CostFigures;
}

/** One part of the time a design spends on a validate request, in microseconds. */
export interface DecompositionPart {
  readonly part: string;
  readonly us: number;
}

/** Names of the parts a decomposition row of bench/measure/decomposition.ts carries as `<part>Us`. */
const PART_NAMES: Record<string, string> = {
  framework: 'framework (GET /health)',
  cryptoFloor: 'signature check (floor)',
  threadPool: 'thread-pool hop',
  jwtLibrary: 'JWT library',
  crypto: 'JWT verify',
  redis: 'Redis command',
  rest: 'rest',
};
/** Fields that are not parts of the server time: the total, and the Redis round trip (waited for, not CPU). */
const NOT_PARTS = /^(total|measured|redisRoundTrip)/i;

function partsOf(raw: unknown): DecompositionPart[] {
  if (raw === null || typeof raw !== 'object') return [];
  const o = raw as Record<string, unknown>;
  const source = o['parts'] ?? o;
  if (Array.isArray(source)) {
    return source.flatMap((p: unknown) => {
      const q = (p ?? {}) as Record<string, unknown>;
      const name = [q['part'], q['name'], q['label']].find((v) => typeof v === 'string') as string | undefined;
      const us = [q['us'], q['usPerRequest'], q['microseconds']].map(finite).find((v) => v !== undefined);
      return name === undefined || us === undefined ? [] : [{ part: name, us }];
    });
  }
  // An object of part -> microseconds (`framework: 20` or `frameworkUs: 20`). A negative part (the rest, when
  // the micro-benchmarked parts exceed the measured time) cannot be stacked and is left out.
  return Object.entries(source as Record<string, unknown>).flatMap(([key, v]) => {
    const us = finite(v);
    const part = key.replace(/Us$/, '');
    return us === undefined || us < 0 || NOT_PARTS.test(part) ? [] : [{ part: PART_NAMES[part] ?? part, us }];
  });
}

/**
 * The validate decomposition per design (server time per request by part), when the run measured one:
 * `result.decomposition.rows[]` as bench/measure/decomposition.ts writes it (`{ strategy, frameworkUs, cryptoUs, ... }`),
 * or a map `result.decomposition[design]`, or `decomposition` on the validate cell or its summary; a design's
 * entry is `{ parts: [{ part, us }] }`, `{ parts: { name: us } }` or `{ name: us }`.
 */
export function decompositionOf(result: RunResult): { strategy: string; parts: DecompositionPart[] }[] {
  const top = (result as { decomposition?: unknown }).decomposition;
  const rows = top !== null && typeof top === 'object' && Array.isArray((top as { rows?: unknown }).rows) ? ((top as { rows: unknown[] }).rows as Record<string, unknown>[]) : [];
  const recorded = top !== null && typeof top === 'object' ? (top as { scenario?: unknown }).scenario : undefined;
  // The scenario decomposed: as recorded, else the one that declares it.
  const scenario = typeof recorded === 'string' ? recorded : LOAD_SCENARIO_NAMES.find((n) => scenarios[n].decomposed === true);
  const partsOfRow = (r: object): DecompositionPart[] => partsOf(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'strategy' && k !== 'note' && k !== 'jwtImpl')));
  return designsOf(result).flatMap((strategy) => {
    // A row per JWT library when the run measured several: each is its own bar.
    const mine = rows.filter((r) => r !== null && typeof r === 'object' && r['strategy'] === strategy);
    if (mine.length > 1) return mine.flatMap((r) => (partsOfRow(r).length === 0 ? [] : [{ strategy: `${strategy} (${String(r['jwtImpl'] ?? '?')})`, parts: partsOfRow(r) }]));
    const cell = scenario === undefined ? undefined : (loadCellOf(result, scenario, strategy) as (ReturnType<typeof loadCellOf> & { decomposition?: unknown }) | undefined);
    const candidates = [
      rows.find((r) => r !== null && typeof r === 'object' && r['strategy'] === strategy),
      rows.length === 0 && top !== null && typeof top === 'object' ? (top as Record<string, unknown>)[strategy] : undefined,
      (cell?.summary as { decomposition?: unknown } | undefined)?.decomposition,
      cell?.decomposition,
    ];
    for (const c of candidates) {
      const parts = partsOf(c === undefined ? undefined : Object.fromEntries(Object.entries(c as object).filter(([k]) => k !== 'strategy' && k !== 'note')));
      if (parts.length > 0) return [{ strategy, parts }];
    }
    return [];
  });
}

/**
 * The fault window as the timeline shows it: from the first to the last bucket that overlaps the fault
 * (the buckets whose phase is `during`); undefined when no bucket does.
 */
export function faultWindowOf(timeline: readonly TimelineBucket[]): { startMs: number; endMs: number } | undefined {
  const during = timeline.filter((b) => b.phase === 'during');
  const first = during[0];
  const last = during[during.length - 1];
  return first === undefined || last === undefined ? undefined : { startMs: first.startMs, endMs: last.endMs };
}

/** Sum of the 5xx responses of a cell summary. */
export function count5xx(statusCounts: Record<string, number>): number {
  return Object.entries(statusCounts).reduce((n, [code, v]) => (code.startsWith('5') ? n + v : n), 0);
}
