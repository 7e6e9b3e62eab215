import { ceilingCellsOf, ceilingKey, measuredCellsOf, type LoadCell, type RunResult } from '../result/schema.js';

/** The two figures the gate compares, both free of the machine's speed (see docs/ci-gate.md). */
export type MetricName = 'throughput' | 'p99';

export interface MetricInfo {
  readonly name: MetricName;
  /** Short label for tables. */
  readonly label: string;
  readonly unit: string;
  readonly biggerIsBetter: boolean;
}

export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  throughput: { name: 'throughput', label: 'req/s ÷ ceiling', unit: 'fraction of ceiling', biggerIsBetter: true },
  p99: { name: 'p99', label: 'p99 × ceiling req/s', unit: 'ceiling request-times', biggerIsBetter: false },
};

/** One repetition of a cell next to the ceiling measured by the same server process just before it. */
export interface PairedRepetition {
  readonly index: number;
  readonly requestsPerSec: number;
  readonly p99Ms: number;
  readonly ceilingRequestsPerSec: number;
  /** req/s ÷ ceiling req/s of the same repetition. */
  readonly throughput: number;
  /** p99 (seconds) × ceiling req/s: the p99 in units of the time the bare framework takes per request. */
  readonly p99: number;
}

export interface CellSeries {
  readonly scenario: string;
  readonly strategy: string;
  /** Worker processes of the server (`run --workers`); absent = one. */
  readonly workers?: number;
  /** The JWT library, when the run measured several (`run --jwt-impl a,b`). */
  readonly jwtImpl?: string;
  readonly repetitions: readonly PairedRepetition[];
  /** Why some repetitions could not be used: errored, or no ceiling to pair with. */
  readonly problems: readonly string[];
}

/** The metric's values over the repetitions of a series. */
export function valuesOf(series: CellSeries, metric: MetricName): number[] {
  return series.repetitions.map((r) => r[metric]);
}

/**
 * Pairs each repetition of a cell with the same repetition of its design's ceiling. The runner starts one
 * server per design and repetition and runs the ceiling, then each scenario, on it: repetition i of a cell
 * and repetition i of the ceiling were measured on the same process, seconds apart, which is as close as
 * two measurements get to "the same machine state".
 */
export function cellSeries(result: RunResult, cell: LoadCell): CellSeries {
  const ceiling = ceilingCellsOf(result).find((c) => ceilingKey(c) === ceilingKey(cell));
  const repetitions: PairedRepetition[] = [];
  const problems: string[] = [];
  for (const rep of cell.repetitions) {
    const n = rep.index + 1;
    if (rep.status !== 'ok' || rep.measurement === undefined || rep.requestsPerSec === undefined) {
      problems.push(`repetition ${n} errored: ${rep.error ?? 'no measurement'}`);
      continue;
    }
    const c = ceiling?.repetitions.find((r) => r.index === rep.index);
    const ceilingRps = c?.status === 'ok' ? c.requestsPerSec : undefined;
    if (ceilingRps === undefined || !(ceilingRps > 0)) {
      problems.push(`repetition ${n} has no ceiling to divide by (${c === undefined ? 'missing' : (c.error ?? 'errored')})`);
      continue;
    }
    const p99Ms = rep.measurement.latencyMs.p99;
    repetitions.push({
      index: rep.index,
      requestsPerSec: rep.requestsPerSec,
      p99Ms,
      ceilingRequestsPerSec: ceilingRps,
      throughput: rep.requestsPerSec / ceilingRps,
      p99: (p99Ms / 1000) * ceilingRps,
    });
  }
  return { scenario: cell.scenario, strategy: cell.strategy, ...unitOf(cell), repetitions, problems };
}

/**
 * What tells two servers of one design apart in a comparison: `{ workers }` for a server of several workers (nothing
 * for one process, as results before --workers), `{ jwtImpl }` when the run measured several JWT libraries.
 */
export const unitOf = (cell: { readonly workers?: number | undefined; readonly jwtImpl?: string | undefined }): { workers?: number; jwtImpl?: string } => ({
  ...(cell.workers === undefined || cell.workers === 1 ? {} : { workers: cell.workers }),
  ...(cell.jwtImpl === undefined ? {} : { jwtImpl: cell.jwtImpl }),
});

/** Every load cell of a run (the ceiling is the denominator, not compared on its own; outage cells have no repetitions). */
export const comparedCells = measuredCellsOf;
