import Table from 'cli-table3';
import type { RunResult } from '../result/schema.js';

const us = (n: number | null): string => (n === null ? '–' : n.toFixed(1));

/** Column titles of the decomposition table (the JWT algorithm is part of one). */
export function decompositionHead(jwtAlg: string): string[] {
  return ['strategy', 'measured µs/req', 'framework (ceiling)', `JWT verify (${jwtAlg})`, 'Redis command (client CPU)', 'rest', 'Redis round trip (waited, not CPU)', 'note'];
}

/** Title and rows of the decomposition table (the terminal, Markdown and HTML tables all use these); undefined without one. */
export function decompositionTable(result: RunResult): { title: string; head: string[]; rows: string[][] } | undefined {
  const d = result.decomposition;
  if (d === undefined || d.rows.length === 0) return undefined;
  const rows = d.rows.map((r) => [r.strategy, us(r.measuredUs), us(r.frameworkUs), us(r.cryptoUs), us(r.redisUs), us(r.restUs), us(r.redisRoundTripUs), r.note ?? '']);
  return { title: `where a validate request's server time goes (${d.method})`, head: decompositionHead(d.jwtAlg), rows };
}

/** One table: for each design, the measured server CPU per validate request next to its parts. Pure. */
export function renderDecompositionTable(result: RunResult): string {
  const t = decompositionTable(result);
  if (t === undefined) return '';
  const table = new Table({ head: t.head, style: { head: [], border: [] } });
  for (const r of t.rows) table.push(r);
  return [t.title, table.toString()].join('\n');
}
