import { unitLabel, type RunResult } from '../result/schema.js';
import { fmtUs } from './format.js';
import { fitTable, Footnotes, wrapProse } from './fit.js';

const us = (n: number | null | undefined): string => fmtUs(n);

/** Column titles of the decomposition table (the JWT algorithm is part of them). */
export function decompositionHead(jwtAlg: string): string[] {
  return ['strategy', 'measured µs/req', 'framework', `${jwtAlg} floor`, 'thread-pool hop', 'JWT library', 'Redis cmd', 'rest', 'Redis RTT', 'note'];
}

/** Title and rows of the decomposition table (the terminal, Markdown and HTML tables all use these); undefined without one. */
export function decompositionTable(result: RunResult): { title: string; head: string[]; rows: string[][] } | undefined {
  const d = result.decomposition;
  if (d === undefined || d.rows.length === 0) return undefined;
  const rows = d.rows.map((r) => [unitLabel(r), us(r.measuredUs), us(r.frameworkUs), us(r.cryptoFloorUs), us(r.threadPoolUs), us(r.jwtLibraryUs), us(r.redisUs), us(r.restUs), us(r.redisRoundTripUs), r.note ?? '']);
  return {
    title: `where a ${d.scenario} request's server CPU goes, µs (floor: the signature check alone; thread-pool hop: what WebCrypto adds to it; JWT library: the rest of its verify; Redis RTT is waited, not CPU) (${d.method})`,
    head: decompositionHead(d.jwtAlg),
    rows,
  };
}

/**
 * One table: for each design, the measured server CPU per validate request next to its parts; on the terminal each
 * row's note is numbered under the table. Pure.
 */
export function renderDecompositionTable(result: RunResult): string {
  const t = decompositionTable(result);
  if (t === undefined) return '';
  const notes = new Footnotes();
  const rows = t.rows.map((r) => [`${r[0] ?? ''}${notes.marks([r[r.length - 1] ?? ''])}`, ...r.slice(1, -1)]);
  return [wrapProse(t.title), fitTable({ head: ['design', ...t.head.slice(1, -1)], rows, wrap: [0] }), ...notes.lines()].join('\n');
}
