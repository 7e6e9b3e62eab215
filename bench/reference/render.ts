import { fitTable, wrapProseLines } from '../render/fit.js';
import type { Spread } from '../../lib/stats.js';
import type { ReferenceResult } from './compare.js';
import { summariseReference } from './summary.js';

const known = (s: Spread | undefined): s is Spread => s !== undefined && Number.isFinite(s.median);

/** `median (min–max)` with `digits` decimals, or thousands for rates. */
function fmt(s: Spread | undefined, digits: number | 'int', suffix = ''): string {
  if (!known(s)) return '–';
  const f = (n: number): string => (digits === 'int' ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits));
  return s.min === s.max ? `${f(s.median)}${suffix}` : `${f(s.median)}${suffix} (${f(s.min)}–${f(s.max)})`;
}

/** The text report of `authbench reference`: the method first, then the table, then the ratios to the reference. */
export function renderReference(result: ReferenceResult): string {
  const e = result.environment;
  const summary = summariseReference(result);
  const header = [
    `authbench reference ${e.authbenchVersion} · ${e.date} · git ${e.gitCommit.slice(0, 10)}${e.gitDirty ? ' (dirty)' : ''} · status: ${result.status}`,
    `machine: ${e.cpuModel} × ${e.cpuCount}, ${e.totalMemoryMiB} MiB, ${e.platform} ${e.arch}, load average before ${result.loadAverage.before.join(' ')}, after ${result.loadAverage.after.join(' ')}`,
    `software: Node ${e.node}, ${result.wrk.version}, ${Object.entries(e.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...result.method.map((m) => `method: ${m}`),
    `wrk command: ${result.wrk.command}   (/health: the same without -H)`,
    ...result.subjects.map((s) => `server: ${s.label}: ${s.command}; token ${s.tokenLength} characters${s.tokenFrom === s.name ? '' : `, issued by ${s.tokenFrom}`}`),
  ];
  const table = fitTable({
    head: ['server', '/health req/s', '/me req/s', '/me ÷ /health', 'CPU µs per /health', 'CPU µs per /me', 'server CPU during /me'],
    rows: summary.subjects.map((s) => [s.label, fmt(s.healthRps, 'int'), fmt(s.meRps, 'int'), fmt(s.fraction, 2), fmt(s.healthCpuUs, 1), fmt(s.meCpuUs, 1), fmt(s.meCpuCores, 2, ' cores')]),
    wrap: [0],
  });
  const rounds = Math.max(0, ...summary.subjects.map((s) => s.rounds));
  const versus = summary.versus.map(
    (v) => `  ${v.label} ÷ reference:  /me req/s ${fmt(v.meRps, 2, '×')},  /me ÷ /health ${fmt(v.fraction, 2, '×')}`,
  );
  // Within 120 columns: the prose wrapped, the table fitted (result.json keeps every line whole).
  return wrapProseLines([
    ...header,
    '',
    `median (min–max) over ${rounds} round${rounds === 1 ? '' : 's'}`,
    table,
    '',
    'versus the @fastify/jwt reference, round by round (median, min–max):',
    ...versus,
    ...(summary.problems.length === 0 ? [] : ['', 'SUSPECT CELLS (their rates count refusals or errors):', ...summary.problems.map((p) => `  ${p}`)]),
  ].join('\n'));
}
