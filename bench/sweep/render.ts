import { fitTable, wrapProseLines } from '../render/fit.js';
import { fmtInt as int, fmtMs as ms, fmtUs as us } from '../render/format.js';
import type { Bound } from './crossover.js';
import { SWEEP_SCENARIOS } from './crossover.js';
import type { SweepCell, SweepPoint, SweepResult } from './schema.js';

const rtt = (p: SweepPoint): string => (p.roundTripMs === null ? '?' : ms(p.roundTripMs.p50));
const bound = (b: Bound): string => (typeof b === 'number' ? `${ms(b)} ms` : b === 'below range' ? '< range' : '> range');

function cellText(c: SweepCell | undefined): string {
  if (c === undefined) return '–';
  const closed = c.closedLoop === null ? `closed: ${c.status}` : `${int(c.closedLoop.requestsPerSec.median)} req/s [${int(c.closedLoop.requestsPerSec.min)}–${int(c.closedLoop.requestsPerSec.max)}]`;
  const e = c.equalLoad;
  const open = e === null ? 'fixed rate: –' : `p99 ${ms(e.latencyMs.p99)} ms [${ms(e.p99.min)}–${ms(e.p99.max)}]${e.valid ? '' : ' INVALID'}${e.wrongAnswers > 0 ? ` ${e.wrongAnswers} wrong` : ''}, ${us(e.serverCpuUsPerRequest)} µs CPU`;
  return `${closed}\n${open}`;
}

/**
 * Per algorithm: the round trip measured under load at each point and the fixed rates; per scenario, a table of
 * designs × points (closed-loop req/s, then p99 and server CPU per request at the fixed rate, with min–max over
 * repetitions), the pooled local designs beside; then the crossovers with their intervals. Within 120 columns: the
 * cells of a table with many points wrap at spaces. Pure.
 */
export function renderSweep(sweep: SweepResult): string {
  const parts: string[] = [...sweep.method.map((m) => `method: ${m}`)];
  for (const alg of sweep.config.jwtAlgs) {
    const points = sweep.points.filter((p) => p.jwtAlg === alg);
    if (points.length === 0) continue;
    const measured = points
      .map((p) => `+${p.addedLatencyMs} ms → ${rtt(p)} ms${p.roundTripMs === null ? '' : ` [${ms(p.roundTripMs.p50Range.min)}–${ms(p.roundTripMs.p50Range.max)}]`}${p.idleRoundTripMs === null ? '' : ` (idle ${ms(p.idleRoundTripMs.p50)})`}`)
      .join(', ');
    parts.push(`${alg}: added delay → Redis round trip measured under load (p50 [per-repetition range]): ${measured}`);
    for (const r of sweep.rates.filter((x) => x.jwtAlg === alg)) parts.push(`${alg} ${r.scenario} fixed rate: ${int(r.rps)} req/s, ${r.source}`);
    for (const scenario of SWEEP_SCENARIOS) {
      const strategies = [...new Set(points.flatMap((p) => p.cells.filter((c) => c.scenario === scenario).map((c) => c.strategy)))];
      const pooled = sweep.pooled.filter((x) => x.jwtAlg === alg && x.scenario === scenario);
      const head = ['design', ...points.map((p) => `${rtt(p)} ms (+${p.addedLatencyMs})`), ...(pooled.length > 0 ? ['pooled'] : [])];
      const rows: string[][] = [];
      for (const s of strategies) {
        const pool = pooled.find((x) => x.strategy === s);
        const poolCell = pool === undefined ? '' : `${int(pool.closedLoopRps.median)} req/s [${int(pool.closedLoopRps.min)}–${int(pool.closedLoopRps.max)}]\np99 ${ms(pool.p99Ms.median)} ms [${ms(pool.p99Ms.min)}–${ms(pool.p99Ms.max)}] (n=${pool.p99Ms.n})`;
        rows.push([s, ...points.map((p) => cellText(p.cells.find((c) => c.scenario === scenario && c.strategy === s))), ...(pooled.length > 0 ? [poolCell] : [])]);
      }
      parts.push(`${scenario}, ${alg}: columns are the measured round trip (added delay); closed-loop req/s median [min–max], then p99 at the fixed rate (merged) [per-repetition min–max] and server CPU per request\n${fitTable({ head, rows, lists: head.map((_, i) => i).slice(1) })}`);
    }
  }
  const cross: string[][] = [];
  for (const c of sweep.crossovers) {
    const interval = c.interval === undefined ? '–' : `${bound(c.interval.low)} – ${bound(c.interval.high)}`;
    cross.push([c.jwtAlg, c.scenario, c.measure === 'p99' ? 'p99 at fixed rate' : 'closed-loop req/s', c.redisDesign, c.localDesign, c.atMs === null ? '–' : `${ms(c.atMs)} ms`, interval, c.verdict]);
  }
  parts.push(`crossover (the measured Redis round trip at which a design that validates without Redis draws level with one that waits for it)\n${fitTable({ head: ['jwt alg', 'scenario', 'measure', 'Redis design', 'local design', 'level at round trip', '95% interval', 'verdict'], rows: cross, lists: [7] })}`);
  return wrapProseLines(parts.join('\n\n'));
}
