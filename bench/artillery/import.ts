/**
 * `authbench import artillery`: Artillery JSON reports of exported scripts become an authbench run result, a load cell
 * per scenario with a repetition per report, so that `authbench report` and `compare` read it like any other run.
 */
import { InvalidOptionError } from '../../lib/errors.js';
import { median } from '../../lib/stats.js';
import { isLoadScenario, isScenarioName, LOAD_SCENARIO_NAMES, scenarios, type LoadScenarioName } from '../../scenarios/index.js';
import { designNames, designOf, isDesignName } from '../../servers/designs/index.js';
import { applyCeiling, judge, summarise } from '../measure/aggregate.js';
import type { LoadMeasurement } from '../load/autocannon.js';
import { resolveRunConfig, type RunConfig } from '../run/config.js';
import type { Environment } from '../run/environment.js';
import { SCHEMA_VERSION, type LoadCell, type Repetition, type RunResult } from '../result/schema.js';
import { COUNTERS } from './processor.js';
import type { ReportFacts } from './report.js';
import { ARTILLERY_VERSION } from './version.js';

/** Counters of errors that mean a request timed out (got's codes). */
const TIMEOUT_ERRORS = ['errors.ETIMEDOUT', 'errors.ESOCKETTIMEDOUT'];
/** The processor's refusal to send a request without a token (a session whose login failed): autocannon's "reset". */
const NOTHING_TO_SEND = 'errors.authbench: nothing to send';

/** One report as an autocannon-shaped measurement: the counts, and Artillery's percentiles (no histogram to merge). */
export function measurementOf(r: ReportFacts): LoadMeasurement {
  const c = r.counters;
  const statusCounts = Object.fromEntries(Object.entries(c).flatMap(([k, v]) => (/^http\.codes\.\d{3}$/.test(k) ? [[k.slice('http.codes.'.length), v]] : [])));
  const errorKeys = Object.keys(c).filter((k) => k.startsWith('errors.'));
  const resets = errorKeys.filter((k) => k.startsWith(NOTHING_TO_SEND)).reduce((a, k) => a + (c[k] ?? 0), 0);
  const rt = r.responseTime;
  const counted = (name: string): number | undefined => c[name];
  const checked = counted(COUNTERS.contentChecked);
  const sessions = counted(COUNTERS.sessions);
  return {
    durationSec: r.durationSec,
    sent: c['http.requests'] ?? 0,
    responses: c['http.responses'] ?? 0,
    statusCounts,
    errors: errorKeys.filter((k) => !k.startsWith(NOTHING_TO_SEND)).reduce((a, k) => a + (c[k] ?? 0), 0),
    timeouts: TIMEOUT_ERRORS.reduce((a, k) => a + (c[k] ?? 0), 0),
    resets,
    latencyMs: rt === undefined ? { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 } : { p50: rt.p50, p90: rt.p90, p99: rt.p99, p999: rt.p999, max: rt.max, mean: rt.mean },
    latencyCorrected: false,
    // Artillery's report does not carry its workers' CPU.
    loadGenerator: { cpuPerSec: 0, saturated: false },
    ...(checked === undefined ? {} : { contentChecked: checked, contentMismatches: counted(COUNTERS.contentMismatches) ?? 0 }),
    ...(sessions === undefined ? {} : { sessions: { sessions, refreshes: counted(COUNTERS.refreshes) ?? 0, refreshesFailed: counted(COUNTERS.refreshesFailed) ?? 0 } }),
  };
}

/** The design the reports were run against: --design, else the one their processors named; refused when they disagree. */
export function designOfReports(reports: readonly ReportFacts[], flag: string | undefined): string {
  const named = [...new Set(reports.map((r) => r.design).filter((d): d is string => d !== undefined))];
  const design = flag ?? (named.length === 1 ? named[0] : undefined);
  if (design === undefined) {
    throw new InvalidOptionError(named.length > 1 ? `the reports name different designs (${named.join(', ')}): import them apart` : `the reports do not name their design (not written by authbench export): give --design, one of ${designNames().join(', ')}`);
  }
  if (!isDesignName(design)) throw new InvalidOptionError(`--design: unknown ${JSON.stringify(design)}; valid values: ${designNames().join(', ')}`);
  const other = named.find((d) => d !== design);
  if (other !== undefined) throw new InvalidOptionError(`--design ${design}, but the reports were exported for ${other}`);
  return design;
}

/** The method of an imported result: where the numbers come from and what Artillery's figures can and cannot say. */
export function importMethod(reports: readonly ReportFacts[], byScenario: ReadonlyMap<string, readonly ReportFacts[]>): string[] {
  const rps = [...new Set(reports.flatMap((r) => r.exportedRps))];
  const perCell = [...byScenario].map(([s, rs]) => {
    const achieved = rs.map((r) => (r.durationSec > 0 ? (r.counters['http.requests'] ?? 0) / r.durationSec : 0));
    const users = rs.map((r) => (r.durationSec > 0 ? (r.counters['vusers.created'] ?? 0) / r.durationSec : 0));
    return `${s}: ${rs.length} report(s), ${rs.map((r) => r.workers).join('/')} worker(s), ${Math.round(median(users))} new virtual users/s, ${Math.round(median(achieved))} requests/s sent (median over reports)`;
  });
  return [
    `imported from Artillery JSON reports (authbench import artillery): load generated by Artillery (scripts of authbench export artillery, Artillery ${ARTILLERY_VERSION} as pinned; the report does not name its version), not by authbench; the servers and Redis were not started or flushed by authbench, and nothing about them (cost, limits, refusal reasons) was measured`,
    `arrival model: open, new virtual users per second (Artillery arrival phases, exported at ${rps.length === 0 ? 'an unrecorded rate' : `${rps.join(', ')} req/s`}, per script run: run-fargate --count N or run-lambda --count N multiplies it by N), each user runs the scenario's request sequence once on a connection of its own, a request when the previous one is answered; authbench's own paced generator instead sends request i at i/rate s over up to a fixed number of keep-alive connections`,
    ...perCell,
    'each report is one repetition, in the order given; its duration runs from its first to its last metric (first user created to last answer), so req/s are correct answers over that span',
    "latency: Artillery's http.response_time, each request's time to first byte (got's timings, Date.now(): whole milliseconds), from when the request was written, not from when the arrival was due: a generator that fell behind is not counted against the server; every worker records into a DDSketch of 1% relative accuracy, the workers' sketches are merged by Artillery (also across run-fargate/run-lambda workers), and the report keeps only the summary (p50, p90, p95, p99, p999, max, rounded to 0.1 ms): with several reports the cell's percentiles are the median over reports of each percentile, not a merged histogram",
    'answers judged as authbench judges its own cells: by status against the scenario\'s expectation for the design, and by the GET /me 200 bodies the processor sampled (the same MeBodySample, every one of the first 1000 per worker, then every 100th); refusal reasons are not checked (no /metrics); errors are Artillery\'s errors.* counters; a session whose login failed ends its virtual user (counted as resets)',
    'the load generator\'s CPU is not in the report: not measured, never marked saturated',
  ];
}

function environmentOf(reports: readonly ReportFacts[], importer: Environment): Environment {
  return {
    ...importer,
    date: reports[0]?.startedAt ?? importer.date,
    redisVersion: 'unknown',
    redisSource: 'not started by authbench (an Artillery run against a server given by URL)',
    packages: { ...importer.packages, artillery: ARTILLERY_VERSION },
  };
}

export interface ImportOptions {
  readonly design: string | undefined;
  /** This machine, where the import runs (for a local `artillery run`, also the machine that measured). */
  readonly environment: Environment;
  readonly now?: Date;
}

/** The run result of one or more Artillery reports (a repetition per report, a cell per scenario). */
export function importArtilleryReports(reports: readonly ReportFacts[], options: ImportOptions): RunResult {
  if (reports.length === 0) throw new InvalidOptionError('give at least one Artillery report');
  for (const r of reports) {
    if (!isScenarioName(r.scenario) || !isLoadScenario(r.scenario)) {
      throw new InvalidOptionError(`${r.file}: scenario ${JSON.stringify(r.scenario)} is not an authbench load scenario; valid values: ${LOAD_SCENARIO_NAMES.join(', ')}`);
    }
  }
  const design = designOfReports(reports, options.design);
  const traits = designOf(design).traits;
  const byScenario = new Map<LoadScenarioName, ReportFacts[]>();
  for (const r of reports) byScenario.set(r.scenario as LoadScenarioName, [...(byScenario.get(r.scenario as LoadScenarioName) ?? []), r]);
  const names = [...byScenario.keys()];
  const repeat = Math.max(...[...byScenario.values()].map((rs) => rs.length));
  const durations = reports.map((r) => r.durationSec);
  const base = resolveRunConfig({ strategies: design, scenarios: names.filter((n) => scenarios[n].ceiling !== true).join(',') || 'validate', repeat: String(repeat), warmup: '0', rate: 'none' }, {});
  const targets = [...new Set(reports.map((r) => r.target).filter((t): t is string => t !== undefined))];
  const config: RunConfig = { ...base, scenarios: names.filter((n) => scenarios[n].ceiling !== true), durationSec: Math.round(median(durations) * 10) / 10, target: targets.length === 1 ? targets[0] : 'an Artillery target', jwtImpls: [], outDir: '', jsonFile: undefined };
  const cells: LoadCell[] = [...byScenario].map(([name, rs]) => {
    const expect = scenarios[name].expect(traits);
    const repetitions: Repetition[] = rs.map((r, index) => {
      const measurement = measurementOf(r);
      if (measurement.sent === 0) return { index, position: 0, status: 'errored', error: `${r.file}: no request was sent (${Object.keys(r.counters).filter((k) => k.startsWith('errors.')).join(', ') || 'no errors counted'})` };
      return { index, position: 0, status: 'ok', measurement, ...judge(measurement, expect) };
    });
    const summary = summarise(repetitions);
    const errors = repetitions.flatMap((rep) => (rep.error === undefined ? [] : [rep.error]));
    return { kind: scenarios[name].ceiling === true ? 'ceiling' : 'load', scenario: name, strategy: design, status: errors.length > 0 ? 'errored' : 'ok', errors, repetitions, ...(summary === undefined ? {} : { summary }) };
  });
  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: 'authbench',
    kind: 'run',
    startedAt: reports[0]?.startedAt ?? (options.now ?? new Date()).toISOString(),
    finishedAt: (options.now ?? new Date()).toISOString(),
    status: 'complete',
    environment: environmentOf(reports, options.environment),
    config,
    designs: { [design]: { summary: designOf(design).summary, traits } },
    method: importMethod(reports, byScenario),
    ceiling: {},
    importedFrom: 'artillery',
    importedRps: [...new Set(reports.flatMap((r) => r.exportedRps))].sort((a, b) => a - b),
    cells,
  };
  applyCeiling(result);
  return result;
}
