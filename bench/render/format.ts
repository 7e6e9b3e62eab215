import type { LimitLabel, LimitsSummary } from '../measure/limits.js';
import type { SessionTally } from '../../scenarios/scenario.js';
/**
 * The number formats of every table and report (terminal, Markdown, HTML), so that the same figure reads the same
 * everywhere. A missing or non-finite figure is '–'.
 */

const known = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** A count or a rate, rounded, with thousands separators: `12,346`. */
export const fmtInt = (n: number | null | undefined): string => (known(n) ? Math.round(n).toLocaleString('en-US') : '–');

/**
 * A latency in milliseconds, three significant digits (recorded in microseconds): `0.412`, `4.37`, `12.3`, `123`,
 * `1,234`.
 */
export function fmtMs(n: number | null | undefined): string {
  if (!known(n)) return '–';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  if (n >= 1) return n.toFixed(2);
  return n > 0 ? n.toPrecision(3) : '0';
}

/** A merged percentile with the range of the per-repetition values beside it: `0.412 (0.398–0.431)`. */
export function fmtMsRange(n: number | null | undefined, range: { readonly min: number; readonly max: number } | undefined): string {
  return range === undefined || range.min === range.max ? fmtMs(n) : `${fmtMs(n)} (${fmtMs(range.min)}–${fmtMs(range.max)})`;
}

/** A span of time measured with a sub-millisecond clock (time to detect, to recover): whole milliseconds. */
export const fmtDurationMs = (n: number | null | undefined): string => (known(n) ? String(Math.round(n)) : '–');

/** A fraction as a percentage: `fmtPercent(0.256)` is `26%`, `fmtPercent(0.256, 1)` is `25.6%`. */
export const fmtPercent = (n: number | null | undefined, digits = 0): string => (known(n) ? `${(n * 100).toFixed(digits)}%` : '–');

/** Microseconds with one decimal: `12.3`. */
export const fmtUs = (n: number | null | undefined): string => (known(n) ? n.toFixed(1) : '–');

/** Non-2xx statuses as `401:12 503:3`, or `0`. */
export function non2xx(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([code, n]) => !code.startsWith('2') && n > 0)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}:${n}`);
  return parts.length === 0 ? '0' : parts.join(' ');
}

const SHORT_LIMIT: Record<LimitLabel, string> = {
  'server-bound': 'server',
  'redis-bound': 'redis',
  'generator-bound': 'gen',
  'machine-bound': 'machine',
  'not saturated': '–',
  unknown: '?',
};

/**
 * What limited a cell, in a word: `server`, `redis`, `gen`, `machine`, `–` (not saturated), `?` (unknown); with the
 * count when not every repetition agreed (`server 2/3`). Empty for results from before the limits were recorded.
 */
export function limitCell(summary: { readonly limits?: LimitsSummary | undefined } | undefined): string {
  const l = summary?.limits;
  if (l === undefined) return '';
  const of = Object.values(l.labels).reduce((a, b) => a + (b ?? 0), 0);
  const got = l.labels[l.label] ?? 0;
  return `${SHORT_LIMIT[l.label]}${got < of ? ` ${got}/${of}` : ''}`;
}

/**
 * The note of a session cell of a design with refresh tokens: refreshes per session, the life of the access token its
 * clients refreshed by, and the refreshes refused (`0.02 refreshes/session, 2 s access token`). Undefined for a cell
 * with no access token life and no refresh attempted (another design).
 */
export function refreshNote(sessions: SessionTally | undefined): string | undefined {
  if (sessions === undefined || (sessions.accessTtlSec === undefined && sessions.refreshes + sessions.refreshesFailed === 0)) return undefined;
  const per = sessions.sessions > 0 ? (sessions.refreshes / sessions.sessions).toFixed(2) : '–';
  const life = sessions.accessTtlSec === undefined ? '' : `, ${sessions.accessTtlSec} s access token`;
  return `${per} refreshes/session${life}${sessions.refreshesFailed > 0 ? `, ${sessions.refreshesFailed} refused` : ''}`;
}

/**
 * The failed answers of a cell in one cell of a narrow table: its non-2xx statuses (`401:12 503:3`, or `0`), then its
 * connection errors and timeouts when there were any (`503:3 err:2 timeout:1`).
 */
export function failuresCell(s: { readonly statusCounts: Record<string, number>; readonly errors: number; readonly timeouts: number }): string {
  const statuses = non2xx(s.statusCounts);
  const more = [...(s.errors > 0 ? [`err:${s.errors}`] : []), ...(s.timeouts > 0 ? [`timeout:${s.timeouts}`] : [])];
  if (more.length === 0) return statuses;
  return [...(statuses === '0' ? [] : [statuses]), ...more].join(' ');
}

/** A median with the min–max range beside it, `10,717 (10,485–12,325)`; the median alone when they are one number. */
export function fmtIntRange(r: { readonly median: number; readonly min: number; readonly max: number }): string {
  return r.min === r.max ? fmtInt(r.median) : `${fmtInt(r.median)} (${fmtInt(r.min)}–${fmtInt(r.max)})`;
}
