import { JWT_IMPLS } from '../../servers/config.js';
import { fitTable, wrapProseLines } from '../render/fit.js';
import type { FloorComparison, MicroResult, MicroTaskResult, VerifyRatio } from './schema.js';

const fmtOps = (n: number | null): string => (n === null ? '–' : Math.round(n).toLocaleString('en-US'));

/** Microseconds with three significant digits or so: 0.0412, 1.23, 45.6, 1,234. */
export function fmtUs(ns: number | null): string {
  if (ns === null || !Number.isFinite(ns)) return '–';
  const us = ns / 1000;
  if (us >= 100) return Math.round(us).toLocaleString('en-US');
  if (us >= 10) return us.toFixed(1);
  if (us >= 1) return us.toFixed(2);
  if (us >= 0.1) return us.toFixed(3);
  return us.toFixed(4);
}

const fmtRme = (rme: number | null): string => (rme === null ? '–' : `±${rme < 10 ? rme.toFixed(1) : Math.round(rme)}%`);

/** Notes longer than this are cut in the table (the JSON keeps them whole). */
const MAX_NOTE = 100;

function note(t: MicroTaskResult): string {
  const parts: string[] = [];
  if (t.status === 'errored') parts.push(`ERRORED: ${(t.error ?? '').replace(/\s+/g, ' ')}`);
  if (t.status === 'aborted') parts.push('aborted');
  // Short, so that the table stays within 120 columns; the method lines say what a sample is.
  if (t.opsPerSec !== null && t.opsPerSample > 1) parts.push(t.group === 'redis' ? 'per command' : `mean of ${t.opsPerSample} calls`);
  const text = parts.join('; ');
  return text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE - 1)}…` : text;
}

/** The header: environment and method, so no number travels without them. */
export function renderMicroHeader(result: MicroResult): string {
  const e = result.environment;
  return [
    `authbench micro ${e.authbenchVersion} · ${e.date} · git ${e.gitCommit.slice(0, 10)}${e.gitDirty ? ' (dirty)' : ''} · status: ${result.status}`,
    `machine: ${e.cpuModel} × ${e.cpuCount}, ${e.totalMemoryMiB} MiB, ${e.platform} ${e.arch}, load average ${e.loadAverage.join(' ')}`,
    `software: Node ${e.node}, Redis ${e.redisVersion} (${e.redisSource}), ${Object.entries(e.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...result.method.map((m) => `method: ${m}`),
  ].join('\n');
}

/** One row per task, in run order, within 120 columns (a long task name or note wraps inside its cell). */
export function renderMicroTable(tasks: readonly MicroTaskResult[]): string {
  const rows = tasks.map((t) => [t.group, t.name, fmtOps(t.opsPerSec), fmtUs(t.meanNs), fmtUs(t.p99Ns), fmtRme(t.rme), String(t.samples), note(t)]);
  return fitTable({ head: ['group', 'task', 'ops/s', 'mean µs', 'p99 µs', '±', 'samples', 'notes'], rows, wrap: [1, 7] });
}

/** The imported ÷ raw verify ratio per algorithm, as measured: the claim that importing once matters, checked. */
export function renderVerifyRatios(ratios: readonly VerifyRatio[]): string {
  if (ratios.length === 0) return '';
  const lines = ['jose verify, key imported once as a CryptoKey ÷ raw key (ops/s; above 1: importing once is faster):'];
  for (const r of ratios) {
    const ratio = r.importedOverRaw === null ? 'not measured (a task did not complete)' : `${r.importedOverRaw.toFixed(2)}×`;
    const reused = r.keyObjectOpsPerSec === null ? '' : `, KeyObject reused ${fmtOps(r.keyObjectOpsPerSec)}/s`;
    lines.push(`  ${r.alg.padEnd(6)} ${ratio}  (imported ${fmtOps(r.importedOpsPerSec)}/s, raw ${fmtOps(r.rawOpsPerSec)}/s${reused})`);
  }
  return lines.join('\n');
}

const fmtOverFloor = (meanNs: number | null, overFloor: number | null): string => (meanNs === null ? '–' : `${fmtUs(meanNs)}${overFloor === null ? '' : ` (${overFloor.toFixed(2)}×)`}`);

/**
 * Per operation and algorithm, each implementation's mean beside the crypto floor's, and how many floors it costs:
 * what the library and the servers' checks add to the signature itself. Empty when no `jwt` task ran.
 */
export function renderFloorComparisons(rows: readonly FloorComparison[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((r) => {
    const byImpl = new Map(r.impls.map((i) => [i.impl, i]));
    return [r.op, r.alg, fmtUs(r.floorMeanNs), ...JWT_IMPLS.map((impl) => fmtOverFloor(byImpl.get(impl)?.meanNs ?? null, byImpl.get(impl)?.overFloor ?? null))];
  });
  const table = fitTable({ head: ['op', 'alg', 'floor µs', ...JWT_IMPLS.map((impl) => `${impl} µs (× floor)`)], rows: cells });
  return [
    "The servers' JWT codecs against the crypto floor (mean µs per op; × floor = codec ÷ floor, what the library and the",
    "servers' checks add to the bare signature; – = the task did not complete):",
    table,
  ].join('\n');
}

/** The whole terminal report. Pure: a function of the result only. */
export function renderMicro(result: MicroResult): string {
  const sections = [renderFloorComparisons(result.floorComparisons), renderVerifyRatios(result.verifyRatios)];
  // The header's and method's prose wrapped at 120 columns; the tables are fitted to it.
  return wrapProseLines([renderMicroHeader(result), renderMicroTable(result.tasks), ...sections.filter((s) => s !== '')].join('\n\n'));
}
