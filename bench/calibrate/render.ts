import { fitTable, wrapProseLines } from '../render/fit.js';
import { fmtInt, fmtMs } from '../render/format.js';
import type { CalibrationResult } from './run-calibration.js';

const ratio = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`);

/** The calibration as terminal tables, within 120 columns (the titles of a wider table wrap). Pure. */
export function renderCalibration(result: CalibrationResult): string {
  const out: string[] = [[`authbench calibrate · ${result.environment.cpuModel} × ${result.environment.cpuCount} · load average ${result.environment.loadAverage.join(' ')} · ${result.server}`, ...result.method.map((m) => `method: ${m}`)].join('\n')];
  if (result.agreement.length > 0) {
    const head = ['round', 'autocannon req/s', 'wrk req/s', 'ratio', 'autocannon p50 ms', 'wrk p50 ms', 'ratio', 'autocannon p99 ms', 'wrk p99 ms'];
    const rows: string[][] = [];
    for (const r of result.agreement) {
      rows.push([String(r.round + 1), fmtInt(r.autocannon.requestsPerSec), fmtInt(r.wrk.requestsPerSec), ratio(r.autocannon.requestsPerSec / r.wrk.requestsPerSec), fmtMs(r.autocannon.p50Ms), fmtMs(r.wrk.p50Ms), ratio(r.wrk.p50Ms === null ? null : r.autocannon.p50Ms / r.wrk.p50Ms), fmtMs(r.autocannon.p99Ms), fmtMs(r.wrk.p99Ms)]);
    }
    const s = result.agreementSummary;
    out.push(`closed loop, autocannon vs ${result.wrkVersion ?? 'wrk'}: median ratio throughput ${ratio(s?.throughputRatio)}, p50 ${ratio(s?.p50Ratio)}`, fitTable({ head, rows }));
  }
  if (result.pacer.length > 0) {
    const head = ['offered req/s', 'answered req/s', 'pacer lag p50 ms', 'lag p99 ms', 'lag max ms', 'p50 ms', 'p99 ms', 'generator busy', 'holds'];
    const rows = result.pacer.map((s) => [fmtInt(s.rate), fmtInt(s.answeredPerSec), fmtMs(s.lagP50Ms), fmtMs(s.lagP99Ms), fmtMs(s.lagMaxMs), fmtMs(s.p50Ms), fmtMs(s.p99Ms), `${Math.round(s.generatorBusy * 100)}%`, s.holds ? 'yes' : 'no']);
    const limit = result.pacerLimit;
    out.push(`open loop, the paced generator: ${limit === null || limit === undefined ? 'no rate held' : `holds ${fmtInt(limit)} req/s`} with pacer lag p99 within 200 µs`, fitTable({ head, rows }));
  }
  return wrapProseLines(out.join('\n\n'));
}
