/**
 * Artillery's JSON report (`artillery run --output report.json`), read for the import: the aggregate counters
 * (`http.codes.200`, `http.requests`, `errors.*`, `vusers.*`, and the exported processor's `authbench.*`), the
 * `http.response_time` summary, and the first and last metric timestamps. Every refusal names the file.
 */
import { InvalidOptionError } from '../../lib/errors.js';
import { COUNTERS } from './processor.js';

/** Artillery's summary of a histogram (ms, rounded to 0.1 ms). */
export interface ArtillerySummary {
  readonly min: number;
  readonly max: number;
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

/** What the import reads from one report. */
export interface ReportFacts {
  readonly file: string;
  readonly scenario: string;
  /** From the processor's counters; undefined for a report of another script. */
  readonly design: string | undefined;
  readonly target: string | undefined;
  readonly exportedRps: readonly number[];
  /** Artillery workers whose processor sent a request (a local run: threads; run-fargate: every container's threads). */
  readonly workers: number;
  readonly counters: Readonly<Record<string, number>>;
  readonly responseTime: ArtillerySummary | undefined;
  /** From the first to the last metric of the run, s. */
  readonly durationSec: number;
  readonly startedAt: string;
  readonly periods: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The values of counters named `prefix<value>`. */
const suffixes = (counters: Record<string, number>, prefix: string): string[] => Object.keys(counters).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));

/** Reads a parsed report; `file` names it in refusals. */
export function readReport(data: unknown, file: string): ReportFacts {
  if (!isObject(data) || !isObject(data['aggregate']) || !Array.isArray(data['intermediate'])) {
    throw new InvalidOptionError(`${file}: not an Artillery JSON report (artillery run --output FILE writes one with "aggregate" and "intermediate")`);
  }
  const aggregate = data['aggregate'];
  const counters = aggregate['counters'];
  if (!isObject(counters) || Object.values(counters).some((v) => typeof v !== 'number')) throw new InvalidOptionError(`${file}: the report's aggregate has no counters`);
  const c = counters as Record<string, number>;
  const names = suffixes(c, 'vusers.created_by_name.');
  const fromProcessor = suffixes(c, COUNTERS.scenario);
  const scenario = fromProcessor[0] ?? names[0];
  if (scenario === undefined || new Set([...names, ...fromProcessor]).size !== 1) {
    throw new InvalidOptionError(`${file}: a report of one exported scenario names exactly one (vusers.created_by_name.*), found ${[...new Set([...names, ...fromProcessor])].join(', ') || 'none'}`);
  }
  const designs = suffixes(c, COUNTERS.design);
  if (designs.length > 1) throw new InvalidOptionError(`${file}: its workers ran different designs (${designs.join(', ')})`);
  const targets = suffixes(c, COUNTERS.target);
  const summaries = isObject(aggregate['summaries']) ? aggregate['summaries'] : {};
  const rt = summaries['http.response_time'];
  const first = Number(aggregate['firstMetricAt'] ?? aggregate['firstCounterAt']);
  const last = Number(aggregate['lastMetricAt'] ?? aggregate['lastCounterAt']);
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) throw new InvalidOptionError(`${file}: the report's aggregate lacks firstMetricAt and lastMetricAt`);
  return {
    file,
    scenario,
    design: designs[0],
    target: targets.length === 1 ? targets[0] : undefined,
    exportedRps: suffixes(c, COUNTERS.rps).map(Number).filter(Number.isFinite),
    workers: c[COUNTERS.workers] ?? 0,
    counters: c,
    responseTime: isObject(rt) && typeof rt['p99'] === 'number' ? (rt as unknown as ArtillerySummary) : undefined,
    durationSec: (last - first) / 1000,
    startedAt: new Date(first).toISOString(),
    periods: (data['intermediate'] as unknown[]).length,
  };
}
