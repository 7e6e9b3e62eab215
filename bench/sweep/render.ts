import Table from 'cli-table3';
import { fmtInt as int, fmtMs as ms } from '../render/format.js';
import { SWEEP_SCENARIOS } from './crossover.js';
import type { SweepResult } from './run-sweep.js';

/** Throughput and p50/p99 against the added Redis latency, a table per algorithm and scenario, then the crossovers. Pure. */
export function renderSweep(sweep: SweepResult): string {
  const parts: string[] = [...sweep.method.map((m) => `method: ${m}`)];
  for (const alg of sweep.config.jwtAlgs) {
    const points = sweep.points.filter((p) => p.jwtAlg === alg);
    if (points.length === 0) continue;
    const rtt = points.map((p) => `${p.addedLatencyMs} ms → ${p.measuredRoundTripUs === null ? '?' : (p.measuredRoundTripUs / 1000).toFixed(2)} ms`).join(', ');
    parts.push(`${alg}: added latency → measured Redis round trip: ${rtt}`);
    for (const scenario of SWEEP_SCENARIOS) {
      const strategies = [...new Set(points.flatMap((p) => p.cells.filter((c) => c.scenario === scenario).map((c) => c.strategy)))];
      const table = new Table({ head: ['strategy', ...points.map((p) => `+${p.addedLatencyMs} ms: req/s (p50/p99 ms)`)], style: { head: [], border: [] } });
      for (const s of strategies) {
        table.push([
          s,
          ...points.map((p) => {
            const c = p.cells.find((x) => x.scenario === scenario && x.strategy === s);
            return c?.requestsPerSec == null || c.latencyMs === null ? c?.status ?? '–' : `${int(c.requestsPerSec.median)} (${ms(c.latencyMs.p50)}/${ms(c.latencyMs.p99)})`;
          }),
        ]);
      }
      parts.push(`${scenario}, ${alg}\n${table.toString()}`);
    }
  }
  const cross = new Table({ head: ['jwt alg', 'scenario', 'Redis design', 'local design', 'overtakes it at', 'verdict'], style: { head: [], border: [] } });
  for (const c of sweep.crossovers) cross.push([c.jwtAlg, c.scenario, c.redisDesign, c.localDesign, c.crossoverMs === null ? '–' : `+${c.crossoverMs.toFixed(2)} ms`, c.verdict]);
  parts.push(`crossover (added Redis latency at which a design that validates without Redis overtakes one that waits for it)\n${cross.toString()}`);
  return parts.join('\n\n');
}
