import Table from 'cli-table3';
import type { RunResult } from './result.js';

const us = (n: number | null): string => (n === null ? '–' : n.toFixed(1));

/** One table: for each design, the measured server CPU per validate request next to its parts. Pure. */
export function renderDecompositionTable(result: RunResult): string {
  const d = result.decomposition;
  if (d === undefined || d.rows.length === 0) return '';
  const head = ['strategy', 'measured µs/req', 'framework (ceiling)', `JWT verify (${d.jwtAlg})`, 'Redis command (client CPU)', 'rest', 'Redis round trip (waited, not CPU)', 'note'];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of d.rows) {
    table.push([r.strategy, us(r.measuredUs), us(r.frameworkUs), us(r.cryptoUs), us(r.redisUs), us(r.restUs), us(r.redisRoundTripUs), r.note ?? '']);
  }
  return [`where a validate request's server time goes (${d.method})`, table.toString()].join('\n');
}
